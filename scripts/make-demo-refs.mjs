#!/usr/bin/env node
// Draws the demo project's element reference images (simple, recognisable SVG figures
// rendered to small PNGs with sharp) into projects/demo/refs/{characters,props}/<id>/.
//
//   node scripts/make-demo-refs.mjs [projectDir]
//
// Deterministic: the same script, sharp version and fonts give the same bytes. Rerunnable:
// each element folder's PNGs are replaced. Element names and kinds come from bible.json;
// every element there must have a drawing below.
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const here = path.dirname(fileURLToPath(import.meta.url));
const projectDir = path.resolve(process.argv[2] ?? path.join(here, '..', 'projects', 'demo'));

const SIZE = 384;
const BG = '#ece8e1';
const INK = '#2b2b2b';
const SKIN = { maya: '#f1c9a5', theo: '#c98e62', juno: '#8d5a3b' };
const FONT = "DejaVu Sans, Liberation Sans, Arial, sans-serif";

const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/'/g, '&apos;');

/** A reference-sheet frame: light backdrop, floor line, label with the element name and view. */
function sheet(name, view, body, { dark = false } = {}) {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${SIZE}" height="${SIZE}" viewBox="0 0 ${SIZE} ${SIZE}">
  <rect width="${SIZE}" height="${SIZE}" fill="${BG}"/>
  ${dark ? '' : `<line x1="24" y1="326" x2="360" y2="326" stroke="#cfc9bf" stroke-width="2"/>`}
  ${body}
  <rect x="0" y="334" width="${SIZE}" height="50" fill="#ffffff"/>
  <text x="16" y="366" font-family="${FONT}" font-size="22" font-weight="bold" fill="${INK}">${esc(name)}</text>
  <text x="${SIZE - 16}" y="366" text-anchor="end" font-family="${FONT}" font-size="16" fill="#777">${esc(view)}</text>
</svg>`;
}

// ---------------------------------------------------------------- characters

const CHARACTERS = {
  maya: { skin: SKIN.maya, hair: '#c9ced6', hairDark: '#9aa1ab', top: '#d7263d', under: '#1e1e1e', legs: '#1e1e24', shoes: '#111', style: 'bob' },
  theo: { skin: SKIN.theo, hair: '#4a2c1a', hairDark: '#2e1a0f', top: '#2f6b3a', under: '#2f6b3a', legs: '#23232b', shoes: '#5a5a5a', style: 'curls' },
  juno: { skin: SKIN.juno, hair: '#ff4f9a', hairDark: '#c72d72', top: '#f5c518', under: '#3b6fb6', legs: '#3b6fb6', shoes: '#fafafa', style: 'braids' },
};

function hairFront(c, back) {
  if (c.style === 'bob') {
    // sharp silver bob to the jaw, straight fringe (covers the face from behind)
    const fringe = back
      ? ''
      : `<path d="M162 96 Q192 70 222 96 L222 104 L162 104 Z" fill="${c.hair}"/>`;
    return `<path d="M152 130 Q148 62 192 60 Q236 62 232 130 L216 132 L216 100 L168 100 L168 132 Z" fill="${c.hair}"/>
      ${back ? `<path d="M158 80 Q192 58 226 80 L232 140 L152 140 Z" fill="${c.hair}"/><path d="M170 92 L170 136 M192 86 L192 138 M214 92 L214 136" stroke="${c.hairDark}" stroke-width="2"/>` : fringe}`;
  }
  if (c.style === 'curls') {
    const pts = [[162, 88], [172, 72], [188, 66], [204, 68], [218, 76], [226, 92], [158, 104], [228, 106], [180, 76], [198, 74]];
    if (back) pts.push([176, 96], [194, 92], [212, 98], [168, 118], [192, 114], [216, 118], [186, 130], [204, 130]);
    return pts.map(([x, y]) => `<circle cx="${x}" cy="${y}" r="14" fill="${c.hair}"/><circle cx="${x - 3}" cy="${y - 3}" r="5" fill="${c.hairDark}"/>`).join('');
  }
  // braids: pink cap and long braids hanging past the shoulders
  const braid = (x) => `<line x1="${x}" y1="100" x2="${x}" y2="236" stroke="${c.hair}" stroke-width="11" stroke-linecap="round"/>
    <line x1="${x}" y1="104" x2="${x}" y2="232" stroke="${c.hairDark}" stroke-width="11" stroke-dasharray="3 9"/>`;
  const cap = `<path d="M158 108 Q156 64 192 62 Q228 64 226 108 Q210 86 192 86 Q174 86 158 108 Z" fill="${c.hair}"/>`;
  const backCap = back ? `<ellipse cx="192" cy="102" rx="34" ry="40" fill="${c.hair}"/>${braid(178)}${braid(192)}${braid(206)}` : '';
  return `${braid(156)}${braid(228)}${cap}${backCap}`;
}

function face(c) {
  const extra = {
    bob: `<circle cx="160" cy="122" r="5" fill="none" stroke="#c0c0c0" stroke-width="2"/><circle cx="224" cy="122" r="5" fill="none" stroke="#c0c0c0" stroke-width="2"/>
      <path d="M172 106 L184 108 M200 108 L212 106" stroke="#111" stroke-width="3"/>`,
    curls: `<path d="M180 128 Q192 122 204 128" stroke="#2e1a0f" stroke-width="3" fill="none"/>`,
    braids: [[174, 118], [178, 122], [182, 117], [202, 117], [206, 122], [210, 118]].map(([x, y]) => `<circle cx="${x}" cy="${y}" r="1.6" fill="#5a3520"/>`).join(''),
  }[c.style];
  return `<circle cx="179" cy="110" r="4" fill="#1b1b1b"/><circle cx="205" cy="110" r="4" fill="#1b1b1b"/>
    <path d="M183 134 Q192 140 201 134" stroke="#7a3b2e" stroke-width="3" fill="none" stroke-linecap="round"/>${extra}`;
}

function outfitFront(c, back) {
  const s = c.style;
  // legs and shoes
  let out = `<rect x="168" y="244" width="22" height="74" fill="${c.legs}"/><rect x="194" y="244" width="22" height="74" fill="${c.legs}"/>
    <rect x="162" y="314" width="30" height="12" rx="5" fill="${c.shoes}" stroke="#999"/><rect x="192" y="314" width="30" height="12" rx="5" fill="${c.shoes}" stroke="#999"/>`;
  if (s === 'bob') out += `<path d="M176 280 L184 286 M200 290 L208 284" stroke="#555" stroke-width="2"/>`; // ripped knees
  // arms (sleeves + hands)
  out += `<path d="M146 154 L128 236" stroke="${c.top}" stroke-width="22" stroke-linecap="round"/><path d="M238 154 L256 236" stroke="${c.top}" stroke-width="22" stroke-linecap="round"/>
    <circle cx="127" cy="244" r="10" fill="${c.skin}"/><circle cx="257" cy="244" r="10" fill="${c.skin}"/>`;
  // neck and torso
  out += `<rect x="182" y="136" width="20" height="18" fill="${c.skin}"/>`;
  if (s === 'bob') {
    // cropped red bomber over a black tee
    out += `<rect x="162" y="200" width="60" height="48" fill="${c.under}"/>
      <path d="M144 152 L240 152 L232 214 L152 214 Z" fill="${c.top}"/>
      <rect x="152" y="206" width="80" height="10" fill="#9e1b2c"/>
      ${back ? '' : `<path d="M176 152 L192 190 L208 152 Z" fill="${c.under}"/><line x1="192" y1="190" x2="192" y2="214" stroke="#9e1b2c" stroke-width="3"/>`}`;
  } else if (s === 'curls') {
    // oversized green hoodie with strings and pocket
    out += `<path d="M140 152 L244 152 L238 252 L146 252 Z" fill="${c.top}"/>
      ${back
        ? `<path d="M164 150 Q192 190 220 150 Z" fill="#255530"/>`
        : `<path d="M172 152 Q192 170 212 152" stroke="#255530" stroke-width="6" fill="none"/><line x1="184" y1="160" x2="182" y2="196" stroke="#eee" stroke-width="3"/><line x1="200" y1="160" x2="202" y2="196" stroke="#eee" stroke-width="3"/><path d="M164 214 L220 214 L214 246 L170 246 Z" fill="#255530"/>`}`;
  } else {
    // yellow raincoat to the knees over denim overalls
    out += `<path d="M144 152 L240 152 L252 286 L132 286 Z" fill="${c.top}" stroke="#c9a00f" stroke-width="2"/>
      ${back
        ? `<path d="M160 152 Q192 176 224 152" stroke="#c9a00f" stroke-width="4" fill="none"/>`
        : `<path d="M178 152 L206 152 L206 286 L178 286 Z" fill="${c.under}"/><circle cx="184" cy="166" r="3" fill="#ddd"/><circle cx="200" cy="166" r="3" fill="#ddd"/><line x1="178" y1="152" x2="178" y2="286" stroke="#c9a00f" stroke-width="3"/><line x1="206" y1="152" x2="206" y2="286" stroke="#c9a00f" stroke-width="3"/>`}`;
  }
  return out;
}

function personFront(c, back = false) {
  const head = `<ellipse cx="192" cy="110" rx="32" ry="38" fill="${c.skin}"/>`;
  const hairBehind = c.style === 'bob' ? `<path d="M150 132 Q146 60 192 58 Q238 60 234 132 Z" fill="${c.hairDark}"/>` : '';
  return `${hairBehind}${outfitFront(c, back)}${head}${back ? '' : face(c)}${hairFront(c, back)}`;
}

function personSide(c) {
  // profile facing right
  let hair;
  if (c.style === 'bob') hair = `<path d="M160 130 Q154 64 198 62 Q226 64 226 92 L204 92 L196 132 Z" fill="${c.hair}"/>`;
  else if (c.style === 'curls') hair = [[168, 84], [182, 70], [200, 66], [216, 76], [160, 102], [172, 116], [190, 82]].map(([x, y]) => `<circle cx="${x}" cy="${y}" r="14" fill="${c.hair}"/><circle cx="${x - 3}" cy="${y - 3}" r="5" fill="${c.hairDark}"/>`).join('');
  else hair = `<path d="M162 112 Q158 64 198 62 Q226 66 226 96 Q204 82 178 100 Z" fill="${c.hair}"/>
      <line x1="166" y1="104" x2="156" y2="236" stroke="${c.hair}" stroke-width="12" stroke-linecap="round"/><line x1="166" y1="104" x2="156" y2="236" stroke="${c.hairDark}" stroke-width="12" stroke-dasharray="3 9"/>
      <line x1="176" y1="106" x2="170" y2="232" stroke="${c.hair}" stroke-width="12" stroke-linecap="round"/><line x1="176" y1="106" x2="170" y2="232" stroke="${c.hairDark}" stroke-width="12" stroke-dasharray="3 9"/>`;
  const coatLen = c.style === 'braids' ? 286 : c.style === 'curls' ? 252 : 214;
  const under = c.style === 'bob' ? `<rect x="172" y="200" width="42" height="48" fill="${c.under}"/>` : '';
  return `<rect x="178" y="244" width="22" height="74" fill="${c.legs}"/><rect x="188" y="244" width="22" height="74" fill="${c.legs}" transform="rotate(-8 199 244)"/>
    <rect x="176" y="314" width="38" height="12" rx="5" fill="${c.shoes}" stroke="#999"/>
    ${under}
    <path d="M168 152 L218 152 L222 ${coatLen} L166 ${coatLen} Z" fill="${c.top}" stroke="#00000022"/>
    <rect x="184" y="136" width="18" height="18" fill="${c.skin}"/>
    <ellipse cx="194" cy="110" rx="30" ry="38" fill="${c.skin}"/>
    <path d="M222 104 L232 118 L222 122 Z" fill="${c.skin}"/>
    <circle cx="212" cy="106" r="4" fill="#1b1b1b"/>
    <path d="M214 134 L222 132" stroke="#7a3b2e" stroke-width="3" stroke-linecap="round"/>
    ${hair}
    <path d="M192 156 L204 236" stroke="${c.top}" stroke-width="22" stroke-linecap="round" filter="url(#shade)"/>
    <circle cx="205" cy="244" r="10" fill="${c.skin}"/>
    <defs><filter id="shade"><feColorMatrix type="matrix" values="0.85 0 0 0 0  0 0.85 0 0 0  0 0 0.85 0 0  0 0 0 1 0"/></filter></defs>`;
}

// ---------------------------------------------------------------- props

const carFront = () => `
  <ellipse cx="192" cy="318" rx="150" ry="10" fill="#ff2fb4" opacity="0.55"/>
  <rect x="64" y="286" width="36" height="34" rx="6" fill="#1b1b1b"/><rect x="284" y="286" width="36" height="34" rx="6" fill="#1b1b1b"/>
  <path d="M110 190 L274 190 L300 232 L84 232 Z" fill="#17827d"/>
  <path d="M120 196 L264 196 L284 228 L100 228 Z" fill="#9fd3e6"/>
  <path d="M128 200 L170 200 L130 226 L108 226 Z" fill="#d8eef6"/>
  <rect x="56" y="230" width="272" height="64" rx="14" fill="#1fa6a0"/>
  <rect x="80" y="234" width="56" height="14" fill="#137a76"/><rect x="248" y="234" width="56" height="14" fill="#137a76"/>
  <rect x="84" y="236" width="48" height="10" fill="#fff7c2"/><rect x="252" y="236" width="48" height="10" fill="#fff7c2"/>
  <rect x="150" y="254" width="84" height="18" rx="4" fill="#1b1b1b"/>
  <rect x="56" y="276" width="272" height="8" fill="#c7cbd1"/>
  <rect x="72" y="258" width="44" height="10" rx="3" fill="#ff8a3d"/><rect x="268" y="258" width="44" height="10" rx="3" fill="#ff8a3d"/>`;

const carSide = () => `
  <ellipse cx="192" cy="318" rx="170" ry="10" fill="#ff2fb4" opacity="0.55"/>
  <path d="M24 286 L30 246 L120 236 L168 198 L252 198 L296 236 L354 244 L362 286 Z" fill="#1fa6a0"/>
  <path d="M132 236 L172 206 L206 206 L206 236 Z" fill="#9fd3e6"/><path d="M214 206 L248 206 L282 236 L214 236 Z" fill="#9fd3e6"/>
  <line x1="30" y1="262" x2="360" y2="262" stroke="#137a76" stroke-width="3"/>
  <rect x="24" y="280" width="338" height="8" fill="#c7cbd1"/>
  <rect x="28" y="250" width="14" height="8" fill="#fff7c2"/><rect x="346" y="250" width="14" height="8" fill="#e23b3b"/>
  <circle cx="96" cy="290" r="30" fill="#1b1b1b"/><circle cx="96" cy="290" r="13" fill="#c7cbd1"/>
  <circle cx="292" cy="290" r="30" fill="#1b1b1b"/><circle cx="292" cy="290" r="13" fill="#c7cbd1"/>`;

const guitarFront = () => {
  // union of bouts and a single cutaway horn: outlined shapes first, fills on top
  const body = [
    ['ellipse', 'cx="192" cy="284" rx="74" ry="46"'],
    ['ellipse', 'cx="184" cy="236" rx="54" ry="40"'],
    ['ellipse', 'cx="224" cy="214" rx="13" ry="22" transform="rotate(20 224 214)"'],
  ];
  return `
  <path d="M192 330 Q92 326 108 206 Q124 96 182 44" stroke="#c0282d" stroke-width="9" fill="none" stroke-linecap="round"/>
  <rect x="181" y="70" width="22" height="150" fill="#b07a3c"/>
  ${[88, 104, 120, 136, 152, 168, 184, 200].map((y) => `<line x1="181" y1="${y}" x2="203" y2="${y}" stroke="#d9d9d9" stroke-width="2"/>`).join('')}
  <path d="M178 72 L176 28 Q192 16 208 28 L206 72 Z" fill="#2b2b2b"/>
  ${[34, 48, 62].map((y) => `<circle cx="172" cy="${y}" r="4" fill="#d4af37"/><circle cx="212" cy="${y}" r="4" fill="#d4af37"/>`).join('')}
  ${body.map(([t, a]) => `<${t} ${a} fill="#f3ead7" stroke="${INK}" stroke-width="6"/>`).join('')}
  ${body.map(([t, a]) => `<${t} ${a} fill="#f3ead7"/>`).join('')}
  <rect x="181" y="196" width="22" height="30" fill="#b07a3c"/>
  <path d="M212 244 Q240 248 238 280 Q232 300 214 296 Z" fill="#7a3b1e"/>
  <circle cx="226" cy="266" r="4" fill="#4a200f"/><circle cx="220" cy="284" r="3" fill="#4a200f"/><circle cx="230" cy="254" r="2.5" fill="#4a200f"/>
  <rect x="172" y="230" width="40" height="14" rx="3" fill="#1b1b1b"/><rect x="172" y="262" width="40" height="14" rx="3" fill="#1b1b1b"/>
  <rect x="174" y="292" width="36" height="8" fill="#c7cbd1"/>
  ${[184, 188, 192, 196, 200].map((x) => `<line x1="${x}" y1="70" x2="${x}" y2="296" stroke="#eeeeee" stroke-width="1"/>`).join('')}
  ${[[236, 300], [250, 284], [244, 316], [258, 300]].map(([x, y]) => `<circle cx="${x}" cy="${y}" r="7" fill="#d4af37" stroke="#8a6d1a"/>`).join('')}
  <circle cx="192" cy="330" r="5" fill="#c7cbd1"/>`;
};

const signFront = () => `
  <defs><filter id="glow" x="-20%" y="-20%" width="140%" height="140%"><feGaussianBlur stdDeviation="4"/></filter></defs>
  <rect x="20" y="40" width="344" height="270" rx="8" fill="#2a1e2e"/>
  ${[80, 120, 160, 200, 240, 280].map((y, i) => `<line x1="20" y1="${y}" x2="364" y2="${y}" stroke="#3a2b40" stroke-width="2"/>` +
    [0, 1, 2, 3, 4].map((k) => `<line x1="${40 + k * 72 + (i % 2) * 36}" y1="${y - 40}" x2="${40 + k * 72 + (i % 2) * 36}" y2="${y}" stroke="#3a2b40" stroke-width="2"/>`).join('')).join('')}
  <rect x="44" y="74" width="296" height="196" rx="12" fill="none" stroke="#ff3ea5" stroke-width="8" filter="url(#glow)"/>
  <rect x="44" y="74" width="296" height="196" rx="12" fill="none" stroke="#ffc1e3" stroke-width="3"/>
  <text x="192" y="168" text-anchor="middle" font-family="DejaVu Serif, serif" font-style="italic" font-weight="bold" font-size="68" fill="none" stroke="#ff3ea5" stroke-width="8" filter="url(#glow)">Open</text>
  <text x="192" y="168" text-anchor="middle" font-family="DejaVu Serif, serif" font-style="italic" font-weight="bold" font-size="68" fill="#ffd6ec">Open</text>
  <text x="192" y="232" text-anchor="middle" font-family="${FONT}" font-weight="bold" font-size="36" letter-spacing="4" fill="none" stroke="#ff3ea5" stroke-width="6" filter="url(#glow)">ALL NIGHT</text>
  <text x="192" y="232" text-anchor="middle" font-family="${FONT}" font-weight="bold" font-size="36" letter-spacing="4" fill="#ffd6ec">ALL NIGHT</text>
  <line x1="120" y1="40" x2="120" y2="74" stroke="#9aa1ab" stroke-width="3"/><line x1="264" y1="40" x2="264" y2="74" stroke="#9aa1ab" stroke-width="3"/>`;

// ---------------------------------------------------------------- the element list

/** id → [file name, view label, body, palette size?] in order; the first is the frontal view. */
const DRAWINGS = {
  maya: [['01-front.png', 'front', personFront(CHARACTERS.maya)], ['02-side.png', 'side', personSide(CHARACTERS.maya)], ['03-back.png', 'back', personFront(CHARACTERS.maya, true)]],
  theo: [['01-front.png', 'front', personFront(CHARACTERS.theo)], ['02-side.png', 'side', personSide(CHARACTERS.theo)]],
  juno: [['01-front.png', 'front', personFront(CHARACTERS.juno)], ['02-back.png', 'back', personFront(CHARACTERS.juno, true)]],
  neon_car: [['01-front.png', 'front', carFront()], ['02-side.png', 'side', carSide()]],
  guitar: [['01-front.png', 'front', guitarFront()]],
  neon_sign: [['01-front.png', 'front', signFront(), 16]],
};

const bible = JSON.parse(await readFile(path.join(projectDir, 'bible.json'), 'utf8'));
const missing = Object.keys(bible.elements).filter((id) => !DRAWINGS[id]);
if (missing.length) {
  console.error(`make-demo-refs: ${path.join(projectDir, 'bible.json')} has elements without a drawing in this script: ${missing.join(', ')}`);
  process.exit(2);
}

for (const [id, el] of Object.entries(bible.elements)) {
  const dir = path.join(projectDir, 'refs', el.kind === 'character' ? 'characters' : 'props', id);
  await mkdir(dir, { recursive: true });
  for (const f of await readdir(dir)) if (f.endsWith('.png')) await rm(path.join(dir, f));
  for (const [file, view, body, colours = 48] of DRAWINGS[id]) {
    const svg = sheet(el.name, `${el.kind} · ${view}`, body);
    const png = await sharp(Buffer.from(svg), { density: 72 })
      .png({ palette: true, colours, dither: 0, compressionLevel: 9, effort: 10 })
      .toBuffer();
    await writeFile(path.join(dir, file), png);
    console.log(`${path.relative(process.cwd(), path.join(dir, file))}  ${png.length} B`);
  }
}
