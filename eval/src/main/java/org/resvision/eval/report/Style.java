package org.resvision.eval.report;

/** The page's CSS (inline in its head): layout, tables and the chart elements' classes. */
final class Style {

    private Style() {}

    static final String CSS = """
            :root{--fg:#1f2328;--muted:#59636e;--line:#d0d7de;--soft:#eef1f4;--bg:#f6f8fa;--accent:#0969da}
            *{box-sizing:border-box}
            html{background:var(--bg)}
            body{margin:0;color:var(--fg);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",Arial,sans-serif}
            header{background:#fff;border-bottom:1px solid var(--line);padding:16px 24px 10px}
            header>*{max-width:1240px;margin-left:auto;margin-right:auto}
            h1{font-size:22px;margin-top:0;margin-bottom:2px}
            h2{font-size:17px;margin:0 0 10px}
            h3{font-size:13px;margin:10px 0 6px;color:var(--muted);font-weight:600}
            .sub{color:var(--muted);margin-top:0;margin-bottom:8px;overflow-wrap:anywhere}
            nav a{display:inline-block;margin:0 14px 4px 0;color:var(--accent);text-decoration:none}
            nav a:hover{text-decoration:underline}
            main{max-width:1288px;margin:0 auto;padding:8px 24px 32px}
            section{background:#fff;border:1px solid var(--line);border-radius:8px;padding:14px 18px 16px;margin:16px 0;overflow-x:auto}
            footer{color:var(--muted);font-size:12px;text-align:center;padding:0 0 24px}
            .row{display:flex;flex-wrap:wrap;gap:12px 28px;align-items:flex-start}
            .grow{flex:1 1 520px;min-width:0}
            .note{color:var(--muted);font-size:12px}
            .muted{color:var(--muted)}
            .kpi{display:inline-block;font-size:16px;font-weight:600;margin-right:18px}
            table{border-collapse:collapse;font-variant-numeric:tabular-nums;font-size:13px}
            th,td{padding:3px 9px;text-align:right;border-bottom:1px solid var(--soft);white-space:nowrap}
            thead th{background:var(--bg);position:sticky;top:0;font-weight:600;border-bottom:1px solid var(--line)}
            th.l,td.l{text-align:left}
            td.l{white-space:normal;overflow-wrap:anywhere;max-width:260px}
            tbody th{font-weight:600}
            .scroll{max-height:470px;overflow:auto;width:fit-content;max-width:100%;border:1px solid var(--line);border-radius:6px}
            .barcell{padding-left:0;text-align:left;width:110px}
            .bar{display:inline-block;height:9px;background:#4e79a7;border-radius:2px;vertical-align:middle}
            .pos{color:#1a7f37}
            .neg{color:#cf222e}
            figure{margin:0}
            figcaption{font-size:12px;color:var(--muted);text-align:center;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
            .legend{margin:0 0 8px}
            .swatch{display:inline-block;width:18px;height:3px;vertical-align:middle;margin:0 5px 0 0}
            .swatch.s1{margin-left:10px}.swatch.s2{margin-left:10px}
            .swatch.s0{background:#4e79a7}.swatch.s1{background:#f28e2b}.swatch.s2{background:#59a14f}
            .tabs>input{position:absolute;opacity:0;pointer-events:none}
            .tabs>label{display:inline-block;padding:3px 12px;margin:0 4px 8px 0;border:1px solid var(--line);border-radius:14px;cursor:pointer;font-size:13px}
            .tabs>input:checked+label{background:var(--accent);border-color:var(--accent);color:#fff}
            .tabs>input:focus-visible+label{outline:2px solid var(--accent);outline-offset:2px}
            .tabs>div.panel{display:none}
            .smalls{grid-template-columns:repeat(auto-fill,minmax(140px,1fr));gap:6px 8px}
            svg.chart{display:block;overflow:visible;font-family:inherit}
            svg .grid{stroke:#e8ebef;stroke-width:1}
            svg .frame{fill:none;stroke:#8c959f;stroke-width:1}
            svg .tick{font-size:10px;fill:var(--muted)}
            svg .axis-title{font-size:11px;fill:var(--fg)}
            svg .label{font-size:12px;fill:var(--fg)}
            svg .label-s{font-size:10.5px;fill:var(--fg)}
            svg .cm-label{fill:var(--fg)}
            svg .value{font-size:11px;fill:var(--muted)}
            svg .curve{fill:none;stroke-width:1.6;stroke-linejoin:round}
            svg .curve.s0{stroke:#4e79a7}svg .curve.s1{stroke:#f28e2b}svg .curve.s2{stroke:#59a14f}
            svg .bar-ap{fill:#4e79a7}svg .bar-ap50{fill:#a0cbe8}
            svg .bar-pos{fill:#59a14f}svg .bar-neg{fill:#e15759}
            svg .zero{stroke:#57606a;stroke-width:1}
            svg .ci{stroke:#8c959f;stroke-width:2;fill:#8c959f}
            svg .ci.pos{stroke:#1a7f37;fill:#1a7f37}svg .ci.neg{stroke:#cf222e;fill:#cf222e}
            svg .cm-bg{fill:#fbfcfd}
            svg .cm-sep{stroke:#d0d7de;stroke-width:.6}
            svg .rel-acc{fill:#4e79a7}svg .rel-gap{fill:#e15759;fill-opacity:.35;stroke:#e15759;stroke-width:.8}
            svg .rel-count{fill:#76b7b2}
            svg .diag{stroke:#57606a;stroke-width:1;stroke-dasharray:4 3}
            svg rect[fill]:hover,svg .dot:hover{stroke:#1f2328;stroke-width:1}
            """;
}
