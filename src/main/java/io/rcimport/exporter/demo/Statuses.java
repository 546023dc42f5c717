package io.rcimport.exporter.demo;

/** Rocket.Chat's progress steps ({@code ProgressStep}) that the simulation writes. */
final class Statuses {
    static final String NEW = "importer_new";
    static final String UPLOADING = "importer_uploading";
    static final String FILE_LOADED = "importer_file_loaded";
    static final String PREPARING_STARTED = "importer_preparing_started";
    static final String PREPARING_USERS = "importer_preparing_users";
    static final String PREPARING_CHANNELS = "importer_preparing_channels";
    static final String PREPARING_MESSAGES = "importer_preparing_messages";
    static final String USER_SELECTION = "importer_user_selection";
    static final String IMPORTING_STARTED = "importer_importing_started";
    static final String IMPORTING_USERS = "importer_importing_users";
    static final String IMPORTING_CHANNELS = "importer_importing_channels";
    static final String IMPORTING_MESSAGES = "importer_importing_messages";
    static final String FINISHING = "importer_finishing";
    static final String DONE = "importer_done";
    static final String FAILED = "importer_import_failed";

    private Statuses() {
    }
}
