// Builds a partial plotly.js bundle with only the named traces, minified.
//
// This is the equivalent of plotly.js's own `npm run custom-bundle -- --traces ...`
// (tasks/custom_bundle.mjs), which needs a git clone of plotly.js and its dev tooling; the
// npm package ships lib/ and src/ but not tasks/. It keeps that task's choices: an index of
// lib/core plus the traces and the calendars component, esbuild with the options of the
// package's esbuild-config.js (iife, globalName Plotly, es2016, the regl alias, `global` as
// window), attribute descriptions stripped from src/ before bundling, the same
// licence header and the same UMD wrapper as dist/plotly.min.js.
//
// Usage: node build.mjs --traces bar,choropleth,scatter --name cdash --out FILE
// Prints a JSON record (version, traces, inputs) on stdout. Run it from the folder holding
// node_modules; scripts/build_plotly_bundle.py does that in a temporary folder.

import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { build, version as esbuildVersion } from 'esbuild';

const root = process.cwd();
const { values: args } = parseArgs({
    options: {
        traces: { type: 'string' },
        name: { type: 'string', default: 'custom' },
        out: { type: 'string' },
    },
});
if (!args.traces || !args.out) {
    console.error('usage: node build.mjs --traces a,b,c --name NAME --out FILE');
    process.exit(2);
}

const plotlyDir = path.join(root, 'node_modules', 'plotly.js');
const plotlyVersion = JSON.parse(readFileSync(path.join(plotlyDir, 'package.json'))).version;

// scatter lives in core and cannot be removed; the official task lists it anyway.
const traces = [...new Set(['scatter', ...args.traces.split(',').map((t) => t.trim())])].sort();
const libTraces = new Set(
    readFileSync(path.join(plotlyDir, 'lib', 'index.js'), 'utf8')
        .match(/require\('\.\/(\w+)'\)/g)
        .map((r) => r.slice(11, -2)),
);
for (const t of traces) {
    if (t !== 'scatter' && !libTraces.has(t)) {
        console.error(`${t} is not a plotly.js ${plotlyVersion} trace`);
        process.exit(2);
    }
}
// Same order as lib/index.js, as the official task does by deleting lines from it.
const registered = [...libTraces].filter((t) => traces.includes(t));
const index = [
    "'use strict';",
    "var Plotly = require('plotly.js/lib/core');",
    'Plotly.register([',
    ...registered.map((t) => `    require('plotly.js/lib/${t}'),`),
    "    require('plotly.js/lib/calendars'),",
    ']);',
    'module.exports = Plotly;',
    '',
].join('\n');

// A single-quoted or double-quoted JS string literal with no line break in it.
const STR = String.raw`(?:'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")`;
// `description: <literal>` or `description: [<literals>].join(<literal>)`, as a whole
// property (after `{` or `,` and a line break, before `,` or `}`), so nothing else matches.
const DESCRIPTION = new RegExp(
    String.raw`(\n[ \t]*)description:\s*(?:${STR}|\[(?:\s*${STR}\s*,?)*\s*\]\s*\.join\(\s*${STR}\s*\))[ \t]*(,?)(?=[ \t]*(?:\/\/[^\n]*)?\n)`,
    'g',
);

/** Strips attribute descriptions (docs for the schema, unused when drawing) from src/. */
const stripDescriptions = {
    name: 'strip-descriptions',
    setup(b) {
        const srcDir = path.join(plotlyDir, 'src') + path.sep;
        b.onLoad({ filter: /\.js$/ }, (a) => {
            if (!a.path.startsWith(srcDir)) return undefined;
            const code = readFileSync(a.path, 'utf8');
            return { contents: code.replace(DESCRIPTION, ''), loader: 'js' };
        });
    },
};

/** Inlines imported CSS as a <style> element, with an id that does not depend on the
 * build folder (the inline-css plugin plotly.js uses hashes the absolute path). */
const inlineCss = {
    name: 'inline-css',
    setup(b) {
        b.onLoad({ filter: /\.css$/ }, (a) => {
            const rel = path.relative(root, a.path).split(path.sep).join('/');
            const id = createHash('sha256').update(rel).digest('hex');
            const css = readFileSync(a.path, 'utf8');
            return {
                contents: `(function(){if(!document.getElementById(${JSON.stringify(id)})){` +
                    "var e=document.createElement('style');" +
                    `e.id=${JSON.stringify(id)};e.textContent=${JSON.stringify(css)};` +
                    'document.head.appendChild(e);}})();',
                loader: 'js',
            };
        });
    },
};

// The licence header of the package's own dist/plotly.min.js, named like a partial bundle.
const distHeader = readFileSync(path.join(plotlyDir, 'dist', 'plotly.min.js'), 'utf8')
    .match(/^\/\*\*[\s\S]*?\*\/\n/)[0];
const header = distHeader.replace('plotly.js', `plotly.js (${args.name} - minified)`);
const umdStart = [
    '(',
    ' function(root, factory) {',
    '  if (typeof module === "object" && module.exports) {',
    '   module.exports = factory();',
    '  } else {',
    '   root.moduleName = factory();',
    '  }',
    '} (typeof self !== "undefined" ? self : this, () => {',
    '',
].join('\n');
const umdEnd = ['', 'window.Plotly = Plotly;', 'return Plotly;', '}));'].join('\n');

const result = await build({
    stdin: { contents: index, resolveDir: root, sourcefile: `index-${args.name}.js` },
    format: 'iife',
    globalName: 'Plotly',
    bundle: true,
    minify: true,
    sourcemap: false,
    write: false,
    metafile: true,
    outfile: args.out,
    plugins: [stripDescriptions, inlineCss],
    alias: { regl: '@plotly/regl' },
    define: { global: 'window', 'define.amd': 'false', 'process.env.NODE_DEBUG': 'false' },
    target: 'es2016',
    logLevel: 'warning',
});
const js = result.outputFiles.find((f) => f.path.endsWith('.js'));
const unexpected = Object.keys(result.metafile.inputs).filter((p) => /\.(glsl|vert|frag)$/.test(p));
if (unexpected.length) {
    console.error('shader sources in the bundle need the glsl plugin:', unexpected);
    process.exit(1);
}
writeFileSync(args.out, header + umdStart + js.text + umdEnd);

// Which npm packages ended up in the bundle, at which versions.
const packages = {};
for (const p of Object.keys(result.metafile.inputs)) {
    const m = p.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//g);
    if (!m) continue;
    const rel = m.join('');
    const name = m[m.length - 1].slice('node_modules/'.length, -1);
    packages[name] = JSON.parse(readFileSync(path.join(root, rel, 'package.json'))).version;
}
console.log(JSON.stringify({
    plotly_js: plotlyVersion,
    traces,
    components: ['calendars'],
    esbuild: esbuildVersion,
    bundled_packages: Object.fromEntries(Object.entries(packages).sort()),
}));
