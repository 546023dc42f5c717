package io.rcimport.exporter.http;

/**
 * The {@code /} page: a small, dependency-free HTML shell that reads {@code status} (a relative
 * URL, so it works behind a path prefix) every two seconds and redraws its table in place,
 * without a full reload. Static: rendered once, served as is.
 *
 * <p>Safety: the only server value put into the HTML here is the version, escaped. The script
 * writes every value from {@code /status} with {@code textContent} or as an attribute value,
 * never as markup ({@code StatusPageTest} keeps it that way), so a status or error message
 * holding {@code <script>} shows as text.
 *
 * <p>Tests select by the stable hooks: {@code tr[data-target=NAME]} (id {@code target-NAME}),
 * cells {@code .col-*}, and inside them {@code .state-badge}, {@code .flag-*}, {@code .bar-fill},
 * {@code .pct}, {@code .completed}, {@code .failed}, {@code .total}, {@code .error-outcome},
 * {@code .error-message}, {@code .alert}; header ids {@code count-*}, {@code refresh-status},
 * {@code last-refresh} and the banner {@code connection-lost}.
 */
final class StatusPage {
    private final String html;

    StatusPage(String version) {
        this.html = TEMPLATE.replace("{{version}}", escape(version));
    }

    String html() {
        return html;
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
                .replace("'", "&#39;");
    }

    /** The page's script, for tests that check how it writes into the document. */
    static String script() {
        int start = TEMPLATE.indexOf("<script>");
        int end = TEMPLATE.indexOf("</script>");
        return TEMPLATE.substring(start + "<script>".length(), end);
    }

    private static final String TEMPLATE = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Rocket.Chat import status</title>
            <style>
            :root{--fg:#1f2329;--muted:#5f6670;--line:#e4e7ea;--blue:#1565d8;--red:#c20a16;--green:#137a33;--amber:#a85200}
            *{box-sizing:border-box} [hidden]{display:none!important}
            body{font:15px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:0;color:var(--fg);background:#f4f5f7}
            header{padding:1rem 1.25rem .6rem;background:#fff;border-bottom:1px solid var(--line)}
            main{padding:1rem 1.25rem}
            h1{font-size:1.35rem;margin:0}
            .meta,.refresh{color:var(--muted);margin:.2rem 0}
            a{color:var(--blue)}
            .summary{display:flex;flex-wrap:wrap;gap:.5rem;list-style:none;padding:0;margin:.6rem 0 .2rem}
            .summary li{background:#eef1f4;border-radius:1rem;padding:.15rem .75rem}
            .summary b{font-size:1.05rem}
            .summary .sum-failed.nonzero{background:#fde8ea;color:var(--red)}
            .summary .sum-importing.nonzero{background:#e6f0fe;color:#0b4fb3}
            .banner{margin:.6rem 0 0;padding:.6rem .9rem;border-radius:.4rem;background:var(--red);color:#fff;font-weight:600}
            .table-wrap{overflow-x:auto}
            table{border-collapse:collapse;width:100%;background:#fff;border:1px solid var(--line);font-size:.9rem}
            th,td{padding:.5rem .4rem;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
            thead th{font-size:.72rem;text-transform:uppercase;letter-spacing:.03em;color:var(--muted);vertical-align:bottom}
            td.num,th.num{text-align:right;font-variant-numeric:tabular-nums} td.num{white-space:nowrap}
            tr.alerting>th{box-shadow:inset 4px 0 var(--red)}
            tr.warning>th{box-shadow:inset 4px 0 #e26d0e}
            .target-name{font-weight:600}
            .badge,.flag{display:inline-block;border-radius:.3rem;padding:.05rem .45rem;font-size:.8rem;font-weight:600;white-space:nowrap}
            .state-badge{color:#fff;background:#6c727a;text-transform:uppercase;letter-spacing:.03em}
            .state-new,.state-ready{background:#0f7c8c}.state-loading{background:#6b3fb8}.state-importing{background:var(--blue)}
            .state-done{background:var(--green)}.state-error{background:var(--red)}.state-canceled{background:var(--amber)}
            .flag-stalled{background:#ffb020;color:#3d2500;text-transform:uppercase;border:2px solid #e26d0e}
            .flag-stale{background:#fff1cc;color:#6b4600}
            .flag-down,.flag-invalid{background:#fde8ea;color:var(--red)}
            .flag-valid{background:#e7f5ec;color:var(--green)}
            .status-text{white-space:nowrap}
            .col-progress{white-space:nowrap} .col-age{min-width:5.5rem}
            .alert{display:block;margin-top:.3rem;font-size:.78rem;font-weight:600;color:var(--amber);white-space:nowrap}
            .alert.critical{color:var(--red)}
            .bar{width:6.5rem;height:.8rem;background:#e4e7ea;border-radius:.4rem;overflow:hidden;display:inline-block;vertical-align:middle}
            .bar-fill{display:block;height:100%;width:0;background:var(--blue);transition:width .6s ease}
            tr.state-row-done .bar-fill{background:var(--green)} tr.state-row-error .bar-fill{background:var(--red)}
            .pct{display:inline-block;min-width:3.4rem;text-align:right;font-variant-numeric:tabular-nums}
            .failed.nonzero{color:var(--red);font-weight:600}
            .sep{color:var(--muted)}
            tr.is-stale td:not(.col-age):not(.col-error):not(.col-breaker){opacity:.55}
            .breaker-open{color:var(--red);font-weight:600}.breaker-half_open{color:var(--amber);font-weight:600}
            .breaker-closed{color:var(--green)}
            .error-outcome{font-weight:600;color:var(--red)}
            .error-message{display:block;font-size:.85rem;color:#4a4f56;min-width:10rem;max-width:18rem;overflow-wrap:anywhere}
            .error-at,.muted{color:var(--muted);font-size:.8rem;white-space:nowrap}
            .error-outcome.none{font-weight:400}
            .sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
            </style></head><body>
            <header>
            <h1>Rocket.Chat import status</h1>
            <p class="meta"><span id="version">version {{version}}</span> · <a href="metrics">/metrics</a> ·
            <a href="status">/status</a> · <a href="api/v1/import.status">/api/v1/import.status</a></p>
            <ul class="summary" aria-label="Summary">
            <li id="sum-targets"><b id="count-targets">–</b> targets</li>
            <li id="sum-up"><b id="count-up">–</b> up</li>
            <li id="sum-importing" class="sum-importing"><b id="count-importing">–</b> importing</li>
            <li id="sum-failed" class="sum-failed"><b id="count-failed">–</b> failed</li>
            </ul>
            <p class="refresh"><span id="refresh-status" role="status" aria-live="polite">Connecting…</span>
            · last refresh <time id="last-refresh">never</time></p>
            <div id="connection-lost" class="banner" role="alert" hidden>Connection lost: cannot fetch status
            (<span id="connection-error"></span>). Showing the last data received; retrying every 2 s.</div>
            </header>
            <main>
            <div class="table-wrap">
            <table id="targets">
            <caption class="sr-only">Import status per target</caption>
            <thead><tr><th scope="col">Target</th><th scope="col">State</th><th scope="col">Status</th>
            <th scope="col">Progress</th><th scope="col" class="num">Completed / failed / total</th>
            <th scope="col" class="num">Rate</th><th scope="col" class="num">ETA</th><th scope="col">Data age</th>
            <th scope="col">Breaker</th><th scope="col">Last error</th></tr></thead>
            <tbody id="rows"><tr id="placeholder"><td colspan="10">Loading…</td></tr></tbody>
            </table></div>
            <noscript><p>This page needs JavaScript; the same data is at <a href="status">/status</a>.</p></noscript>
            </main>
            <script>
            'use strict';
            const REFRESH_MS = 2000;
            const $ = id => document.getElementById(id);
            const el = (tag, cls, text) => {
              const node = document.createElement(tag);
              if (cls) node.className = cls;
              if (text != null) node.textContent = text;
              return node;
            };
            /* 250 -> "4m 10s"; 7385 -> "2h 3m"; null -> "–" */
            function human(sec) {
              if (sec == null || !isFinite(sec)) return '–';
              let s = Math.max(0, Math.round(sec));
              if (s < 60) return s + 's';
              const d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60);
              s %= 60;
              return d ? d + 'd ' + h + 'h' : h ? h + 'h ' + m + 'm' : m + 'm ' + s + 's';
            }
            const count = n => n == null ? '–' : Number(n).toLocaleString('en-US');
            const rate = r => r == null ? '–' : (r >= 100 ? Math.round(r) : r.toFixed(1)) + ' rec/s';
            const parts = new WeakMap(); /* row -> its elements */
            const since = iso => { const t = Date.parse(iso); return isNaN(t) ? '' : human((Date.now() - t) / 1000) + ' ago'; };

            function makeRow(name) {
              const tr = el('tr', 'target-row');
              tr.id = 'target-' + name;
              tr.dataset.target = name;
              const c = {tr};
              const th = el('th', 'col-target');
              th.scope = 'row';
              c.name = el('a', 'target-name', name);
              c.name.href = 'status/' + encodeURIComponent(name);
              c.down = el('span', 'flag flag-down', 'down');
              c.alerts = el('span', 'alerts');
              th.append(c.name, ' ', c.down, c.alerts);
              tr.append(th);
              const td = (col, cls) => { const t = el('td', 'col-' + col + (cls ? ' ' + cls : '')); tr.append(t); return t; };
              c.state = el('span', 'badge state-badge');
              c.stalled = el('span', 'flag flag-stalled', '⚠ stalled');
              td('state').append(c.state, ' ', c.stalled);
              c.status = el('span', 'status-text');
              c.valid = el('span', 'flag');
              td('status').append(c.status, ' ', c.valid);
              c.bar = el('span', 'bar');
              c.bar.setAttribute('role', 'progressbar');
              c.bar.setAttribute('aria-valuemin', '0');
              c.bar.setAttribute('aria-valuemax', '100');
              c.bar.setAttribute('aria-label', 'progress of ' + name);
              c.fill = el('span', 'bar-fill');
              c.bar.append(c.fill);
              c.pct = el('span', 'pct');
              td('progress').append(c.bar, ' ', c.pct);
              c.completed = el('span', 'completed');
              c.failed = el('span', 'failed');
              c.total = el('span', 'total');
              td('records', 'num').append(c.completed, el('span', 'sep', ' / '), c.failed, el('span', 'sep', ' / '), c.total);
              c.rate = td('rate', 'num');
              c.eta = td('eta', 'num');
              c.age = el('span', 'age');
              c.stale = el('span', 'flag flag-stale', 'stale');
              td('age').append(c.age, ' ', c.stale);
              c.breaker = td('breaker');
              c.outcome = el('span', 'error-outcome');
              c.errorAt = el('span', 'error-at');
              c.message = el('span', 'error-message');
              td('error').append(c.outcome, ' ', c.errorAt, c.message);
              parts.set(tr, c);
              return tr;
            }

            function fill(tr, t) {
              const c = parts.get(tr), op = t.operation || {}, n = op.count || {};
              const state = String(t.state || 'unknown');
              const alerts = Array.isArray(t.alerts) ? t.alerts : [];
              tr.dataset.state = state;
              tr.dataset.up = String(!!t.up);
              tr.dataset.stale = String(!!t.stale);
              tr.dataset.stalled = String(!!t.stalled);
              tr.className = 'target-row state-row-' + state.replace(/[^a-z_]/g, '')
                + (t.stale ? ' is-stale' : '')
                + (alerts.some(a => a.severity === 'critical') || state === 'error' ? ' alerting'
                   : alerts.length || t.stalled || !t.up ? ' warning' : '');
              c.down.hidden = !!t.up;
              c.alerts.replaceChildren(...alerts.map(a => {
                const name = String(a.alertname);
                const s = el('span', 'alert ' + String(a.severity), '⚠ ' + name.replace(/^RocketChatImport/, '') + ' · ' + a.severity);
                s.dataset.alertname = name;
                s.title = name + ': ' + String(a.summary || '');
                return s;
              }));
              c.state.textContent = state;
              c.state.className = 'badge state-badge state-' + state.replace(/[^a-z_]/g, '');
              c.stalled.hidden = !t.stalled;
              /* importer_importing_messages -> "importing messages"; the raw step in the tooltip and data-status */
              const status = op.status == null ? '' : String(op.status);
              c.status.textContent = status ? status.replace(/^importer_/, '').replace(/_/g, ' ') : '–';
              c.status.title = status;
              c.status.dataset.status = status;
              c.valid.hidden = t.operation == null;
              c.valid.textContent = op.valid === false ? 'invalid' : 'valid';
              c.valid.className = 'flag ' + (op.valid === false ? 'flag-invalid' : 'flag-valid');
              const p = typeof t.progress === 'number' ? Math.min(1, Math.max(0, t.progress)) * 100 : null;
              c.fill.style.width = (p == null ? 0 : p.toFixed(1)) + '%';
              if (p == null) c.bar.removeAttribute('aria-valuenow'); else c.bar.setAttribute('aria-valuenow', p.toFixed(1));
              c.pct.textContent = p == null ? '–' : p.toFixed(1) + ' %';
              c.completed.textContent = count(n.completed);
              c.failed.textContent = count(n.error);
              c.failed.classList.toggle('nonzero', n.error > 0);
              c.total.textContent = count(n.total);
              c.rate.textContent = rate(t.records_per_second);
              c.eta.textContent = human(t.eta_seconds);
              c.age.textContent = t.age_seconds == null ? 'no data yet' : human(t.age_seconds);
              c.stale.hidden = !t.stale;
              const breaker = String(t.circuit_breaker || 'none');
              c.breaker.textContent = breaker.replace('_', '-');
              c.breaker.className = 'col-breaker breaker-' + breaker.replace(/[^a-z_]/g, '');
              const e = t.last_error;
              c.outcome.textContent = e ? e.outcome : 'none';
              c.outcome.className = e ? 'error-outcome' : 'error-outcome none muted';
              c.errorAt.textContent = e ? since(e.at) : '';
              c.message.textContent = e ? e.message : '';
            }

            function draw(d) {
              const targets = Array.isArray(d.targets) ? d.targets : [];
              const rows = $('rows');
              const old = new Map([...rows.querySelectorAll('tr.target-row')].map(r => [r.dataset.target, r]));
              $('placeholder')?.remove();
              targets.forEach((t, i) => {
                const name = String(t.target);
                let tr = old.get(name);
                old.delete(name);
                if (!tr) tr = makeRow(name);
                if (rows.children[i] !== tr) rows.insertBefore(tr, rows.children[i] || null);
                fill(tr, t);
              });
              old.forEach(r => r.remove());
              if (!targets.length) {
                const empty = el('tr');
                empty.id = 'placeholder';
                const td = el('td', null, 'No targets configured.');
                td.colSpan = 10;
                empty.append(td);
                rows.append(empty);
              }
              const tally = f => targets.filter(f).length;
              $('count-targets').textContent = targets.length;
              $('count-up').textContent = tally(t => t.up);
              $('count-importing').textContent = tally(t => t.state === 'importing');
              $('count-failed').textContent = tally(t => t.state === 'error');
              $('sum-importing').classList.toggle('nonzero', tally(t => t.state === 'importing') > 0);
              $('sum-failed').classList.toggle('nonzero', tally(t => t.state === 'error') > 0);
              if (d.version != null) $('version').textContent = 'version ' + d.version;
            }

            /* The live region changes only when the connection does: screen readers announce each change. */
            function announce(text) {
              if ($('refresh-status').textContent !== text) $('refresh-status').textContent = text;
            }

            function setConnection(ok, why) {
              const banner = $('connection-lost');
              document.body.dataset.connection = ok ? 'ok' : 'lost';
              if (ok) {
                banner.hidden = true;
                announce('Live, refreshing every 2 s');
              } else {
                $('connection-error').textContent = why;
                const waiting = $('placeholder');
                if (waiting && !document.querySelector('tr.target-row')) waiting.cells[0].textContent = 'No data yet: waiting for the agent.';
                banner.hidden = false;
                announce('Connection lost');
              }
            }

            let busy = false;
            async function refresh() {
              if (busy) return;
              busy = true;
              const timeout = new AbortController();
              const timer = setTimeout(() => timeout.abort(), 5000);
              try {
                const r = await fetch('status', {cache: 'no-store', signal: timeout.signal, headers: {Accept: 'application/json'}});
                if (!r.ok) throw new Error('HTTP ' + r.status);
                draw(await r.json());
                $('last-refresh').textContent = new Date().toLocaleTimeString('en-GB');
                $('last-refresh').dateTime = new Date().toISOString();
                setConnection(true);
              } catch (err) {
                setConnection(false, err.name === 'AbortError' ? 'no answer within 5 s' : String(err.message || err));
              } finally {
                clearTimeout(timer);
                busy = false;
              }
            }
            refresh();
            setInterval(refresh, REFRESH_MS);
            </script></body></html>
            """;
}
