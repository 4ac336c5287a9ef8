/**
 * The charts' styles, from VS Code's theme variables (each with a light-theme fallback for the HTML report and for
 * exported files). The webview adds them in a <style> carrying the page's nonce; exports and the report embed them.
 */
export const CHART_CSS = `
.kw-chart { font-family: var(--vscode-font-family, system-ui, sans-serif); font-size: 11px; }
.kw-chart text { fill: var(--vscode-charts-foreground, var(--vscode-foreground, #616161)); }
.kw-chart .title { font-weight: 600; font-size: 12px; }
.kw-chart .muted { fill: var(--vscode-descriptionForeground, #717171); }
.kw-chart .axis, .kw-chart .grid { stroke: var(--vscode-charts-lines, rgba(128,128,128,0.45)); stroke-width: 1; }
.kw-chart .grid { stroke-dasharray: 2 3; }
.kw-chart .bg { fill: transparent; }
.kw-chart .c-ok { fill: var(--vscode-charts-green, #388a34); stroke: var(--vscode-charts-green, #388a34); }
.kw-chart .c-error { fill: var(--vscode-charts-red, #e51400); stroke: var(--vscode-charts-red, #e51400); }
.kw-chart .c-retry { fill: var(--vscode-charts-orange, #d18616); stroke: var(--vscode-charts-orange, #d18616); }
.kw-chart .s1 { fill: var(--vscode-charts-blue, #1a85ff); stroke: var(--vscode-charts-blue, #1a85ff); }
.kw-chart .s2 { fill: var(--vscode-charts-purple, #652d90); stroke: var(--vscode-charts-purple, #652d90); }
.kw-chart .s3 { fill: var(--vscode-charts-orange, #d18616); stroke: var(--vscode-charts-orange, #d18616); }
.kw-chart .s4 { fill: var(--vscode-charts-yellow, #bf8803); stroke: var(--vscode-charts-yellow, #bf8803); }
.kw-chart .s5 { fill: var(--vscode-charts-green, #388a34); stroke: var(--vscode-charts-green, #388a34); }
.kw-chart .s6 { fill: var(--vscode-charts-red, #e51400); stroke: var(--vscode-charts-red, #e51400); }
.kw-chart path.line { fill: none; stroke-width: 1.6; }
.kw-chart .phase-waiting { fill: var(--vscode-charts-yellow, #bf8803); }
.kw-chart .phase-accumulator { fill: var(--vscode-charts-blue, #1a85ff); }
.kw-chart .phase-ready { fill: var(--vscode-charts-purple, #652d90); }
.kw-chart .phase-metadata { fill: var(--vscode-charts-purple, #652d90); }
.kw-chart .phase-backoff { fill: var(--vscode-charts-yellow, #bf8803); fill-opacity: 0.55; }
.kw-chart .phase-attempt { fill: var(--vscode-charts-blue, #1a85ff); }
.kw-chart .phase-attempt.c-ok { fill: var(--vscode-charts-green, #388a34); }
.kw-chart .phase-attempt.c-retry { fill: var(--vscode-charts-orange, #d18616); }
.kw-chart .phase-attempt.c-error { fill: var(--vscode-charts-red, #e51400); }
.kw-chart .end-ok { stroke: var(--vscode-charts-green, #388a34); stroke-width: 2; }
.kw-chart .end-error { stroke: var(--vscode-charts-red, #e51400); stroke-width: 2; }
.kw-chart .end-pending { stroke: var(--vscode-charts-lines, #888); stroke-width: 2; stroke-dasharray: 3 2; }
.kw-chart .focusable { outline: none; cursor: default; }
.kw-chart .focusable:focus .hit, .kw-chart .focusable:hover .hit, .kw-chart .focusable.current .hit { fill: var(--vscode-list-hoverBackground, rgba(128,128,128,0.15)); }
.kw-chart .focusable:focus .hit { stroke: var(--vscode-focusBorder, #0090f1); stroke-width: 1; }
.kw-chart .hit { fill: transparent; }
svg.kw-chart.focusable:focus { outline: 1px solid var(--vscode-focusBorder, #0090f1); }
.kw-chart .clickable { cursor: pointer; }
.kw-chart .selected-batch { stroke: var(--vscode-focusBorder, #0090f1); stroke-width: 2; }
.kw-chart text.on-bar { fill: var(--vscode-button-foreground, #fff); }
.kw-chart text.outcome { font-weight: 600; }
`;
