package io.rcimport.exporter.http;

/**
 * The {@code /} page: a small HTML shell that reads {@code /status} and redraws itself every
 * few seconds, without a full reload. Static: rendered once, served as is.
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
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static final String TEMPLATE = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Rocket.Chat import exporter</title>
            <style>
            body{font-family:system-ui,sans-serif;margin:2rem;color:#1f2329;background:#fafafa}
            h1{font-size:1.4rem;margin:0 0 .2rem} .meta{color:#6c727a;margin-bottom:1rem}
            table{border-collapse:collapse;width:100%;background:#fff}
            th,td{padding:.45rem .6rem;border-bottom:1px solid #e4e7ea;text-align:left;vertical-align:top}
            th{font-size:.8rem;text-transform:uppercase;color:#6c727a}
            .bar{width:140px;height:12px;background:#e4e7ea;border-radius:6px;overflow:hidden;display:inline-block;vertical-align:middle}
            .bar>span{display:block;height:100%;background:#1d74f5}
            .state{font-weight:600} .state-error,.down{color:#d40c1a} .state-done{color:#158d3b}
            .state-importing,.state-loading{color:#1d74f5} .stalled{color:#e26d0e;font-weight:600}
            .stale{opacity:.55} .err{color:#d40c1a;font-size:.85rem} a{color:#1d74f5}
            </style></head><body>
            <h1>Rocket.Chat import exporter</h1>
            <div class="meta">version {{version}} · <a href="metrics">/metrics</a> · <a href="status">/status</a> ·
            <a href="api/v1/import.status">/api/v1/import.status</a> · updated <span id="updated">never</span></div>
            <table><thead><tr><th>Target</th><th>State</th><th>Status</th><th>Progress</th><th>Completed / failed / total</th>
            <th>Rate</th><th>ETA</th><th>Age</th><th>Breaker</th><th>Last error</th></tr></thead>
            <tbody id="rows"><tr><td colspan="10">loading…</td></tr></tbody></table>
            <script>
            const esc=s=>String(s??'').replace(/[&<>"]/g,c=>({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c]));
            const dur=s=>s==null?'–':s<90?Math.round(s)+'s':s<5400?Math.round(s/60)+'m':(s/3600).toFixed(1)+'h';
            async function refresh(){
              try{
                const r=await fetch('status',{cache:'no-store'}); const d=await r.json();
                document.getElementById('rows').innerHTML=d.targets.map(t=>{
                  const op=t.operation||{}; const c=op.count||{}; const p=t.progress;
                  const pct=p==null?'–':(p*100).toFixed(1)+' %';
                  return `<tr class="${t.stale?'stale':''}" data-target="${esc(t.target)}">
                  <td><a href="status/${encodeURIComponent(t.target)}">${esc(t.target)}</a>${t.up?'':' <span class="down">(down)</span>'}</td>
                  <td class="state state-${esc(t.state)}">${esc(t.state)}${t.stalled?' <span class="stalled">stalled</span>':''}</td>
                  <td>${esc(op.status||'')}${op.valid===false?' (invalid)':''}</td>
                  <td><span class="bar"><span style="width:${p==null?0:(p*100).toFixed(1)}%"></span></span> <span class="pct">${pct}</span></td>
                  <td>${c.completed??'–'} / ${c.error??'–'} / ${c.total??'–'}</td>
                  <td>${t.records_per_second==null?'–':t.records_per_second+'/s'}</td>
                  <td>${dur(t.eta_seconds)}</td><td>${dur(t.age_seconds)}${t.stale?' (stale)':''}</td>
                  <td>${esc(t.circuit_breaker)}</td>
                  <td class="err">${t.last_error?esc(t.last_error.outcome+': '+t.last_error.message):''}</td></tr>`;}).join('');
                document.getElementById('updated').textContent=new Date().toLocaleTimeString();
              }catch(e){document.getElementById('updated').textContent='failed: '+e;}
            }
            refresh(); setInterval(refresh,2000);
            </script></body></html>
            """;
}
