/**
 * The hot reads: {@code GET /metrics}, {@code /status} and {@code /api/v1/import.status}, which
 * scrapers and scripts poll, answered from cached bytes by one piece of code each.
 *
 * <pre>
 * Jetty ─ HotReadHandler.handle          GET of a hot path? else on to Javalin (ApiServer)
 *           └─ HotReads.answer(path, request)     → Answer: Body | NotModified | Problem
 *                ├─ Authentication.challenge       401 (the only check for this request)
 *                ├─ /metrics        MetricsEndpoint.body(accept)   two cached blocks, RenderLock, GzipParts
 *                ├─ /status         StatusEndpoint.body()          one cached JSON, RenderLock
 *                ├─ /api/v1/import.status  the raw body of the store's snapshot; Conditional: ETag, Age, 304
 *                └─ any exception   logged, 500 Problem
 *           └─ HotReadHandler.write(answer)  headers, then the CachedBody's bytes or its gzip (made once)
 * </pre>
 *
 * Nothing here calls Rocket.Chat or knows Javalin; {@code http.ApiServer} installs the handler.
 */
package io.rcimport.exporter.http.hot;
