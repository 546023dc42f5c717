/**
 * A simulated Rocket.Chat: what {@code --demo} runs in-process, and the fake that tests and the
 * soak script talk to.
 *
 * <ul>
 *   <li>{@link io.rcimport.exporter.demo.ImportSimulation}: a deterministic, thread-free model of
 *       import operations, driven by an injected {@link java.time.Clock} and a seeded random, shaped
 *       by a {@link io.rcimport.exporter.demo.Scenario}.</li>
 *   <li>{@link io.rcimport.exporter.demo.SimulatedRocketChat}: serves it over HTTP with Rocket.Chat's
 *       auth, login, rate limiter ({@link io.rcimport.exporter.demo.RateLimit}) and error bodies.
 *       Its one {@code Hook} is where the test harness (in test scope, same package:
 *       {@code TestRocketChat}, {@code Fault}, {@code FaultResponder}, {@code HungRequests})
 *       injects faults and counts traffic.</li>
 * </ul>
 */
package io.rcimport.exporter.demo;
