// The review console's page: plain JavaScript, no build step. It only reads what the server
// computes (the CLI's own functions) and asks it to act; it never writes a file itself.
const token = document.querySelector('meta[name="cg-token"]').content;
const view = document.getElementById('view');
const live = document.getElementById('live');
const PX_PER_SECOND = 10;

const esc = (value) => String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
const usd = (n) => `$${(n ?? 0).toFixed(2)}`;
const clock = (s) => `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, '0')}`;
const withToken = (path) => `${path}${path.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`;
const fileUrl = (path) => withToken(`/files/${path.split('/').map(encodeURIComponent).join('/')}`);
const posterUrl = (path) => withToken(`/poster/${path.split('/').map(encodeURIComponent).join('/')}`);

async function api(path, body) {
  const response = await fetch(path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'x-cg-token': token, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const value = await response.json();
  if (!response.ok) throw new Error(value.error ?? `HTTP ${response.status}`);
  return value;
}

function say(message, isError = false) {
  live.textContent = message;
  live.classList.toggle('error', isError);
}

/** Runs a button's request and shows what came of it; the page re-reads the state after. */
async function act(run) {
  try {
    const result = await run();
    if (result?.message) say(result.message.split('\n')[0]);
  } catch (error) {
    say(error.message, true);
  }
  await render();
}

// ---------------------------------------------------------------- media

/** A take's file: .mp4 plays in a <video>; an animated WebP (a sim animatic) or a still shows as an image. */
function media(output, label) {
  if (output === null) return '<div class="noposter">no file</div>';
  if (output.endsWith('.mp4')) return `<video controls preload="metadata" src="${esc(fileUrl(output))}" aria-label="${esc(label)}"></video>`;
  return `<img class="media" src="${esc(fileUrl(output))}" alt="${esc(label)}">`;
}

function runningText(run) {
  const where = run.status.endsWith('_submitted') ? (run.queuePosition === null ? 'queued' : `queued at position ${run.queuePosition}`) : run.status.endsWith('_processing') ? 'generating' : 'starting';
  return `<span class="running" data-since="${esc(run.since)}">${esc(run.takeId)}: ${where}, <span class="elapsed"></span></span>`;
}

function tickElapsed() {
  for (const element of document.querySelectorAll('[data-since]')) {
    const seconds = Math.max(0, (Date.now() - Date.parse(element.dataset.since)) / 1000);
    const out = element.querySelector('.elapsed');
    if (out) out.textContent = `${clock(seconds)} elapsed`;
  }
}
setInterval(tickElapsed, 1000);

// ---------------------------------------------------------------- the board

function cardHtml(card) {
  // role=listitem: the cards are the list a screen reader walks, in song order.
  const left = card.start * PX_PER_SECOND;
  const width = Math.max(60, (card.end - card.start) * PX_PER_SECOND - 4);
  const poster = card.shown === null ? '<div class="noposter">nothing made yet</div>' : `<img loading="lazy" src="${esc(posterUrl(card.shown.output))}" alt="${esc(card.shown.takeId)}">`;
  const time = `${clock(card.start)}–${clock(card.end)}`;
  const stale = card.approvedStale || card.stale ? '<p class="stale">plan changed since the take</p>' : '';
  return `<article class="card" role="listitem" data-card data-id="${esc(card.id)}" data-state="${esc(card.state)}" data-start="${card.start}" data-end="${card.end}" tabindex="0"
    style="left:${left}px;width:${width}px;--state:var(--${esc(card.state)})" aria-label="${esc(`${card.id} ${card.title ?? ''}, ${card.section} ${time}, ${card.state.replaceAll('_', ' ')}, next: ${card.next}`)}">
    ${poster}
    <h3>${esc(card.id)} · ${esc(card.title ?? card.section)}</h3>
    <p><span class="chip">${esc(card.state.replaceAll('_', ' '))}</span> ${esc(time)}</p>
    <p>${card.takes} ${card.takes === 1 ? 'take' : 'takes'} · spent ${usd(card.spentUsd)}</p>
    <p class="next">next: ${esc(card.next)}</p>
    ${stale}${card.running.map(runningText).join('')}
  </article>`;
}

function boardHtml(board) {
  const width = Math.ceil(board.song.seconds * PX_PER_SECOND) + 8;
  const ticks = [];
  const step = board.song.seconds > 1200 ? 300 : board.song.seconds > 300 ? 60 : 10;
  for (let s = 0; s <= board.song.seconds; s += step) ticks.push(`<span class="tick" style="left:${s * PX_PER_SECOND}px">${clock(s)}</span>`);
  const song = board.song.title === null ? '' : `${board.song.title}${board.song.artist === null ? '' : ` by ${board.song.artist}`}, `;
  const cut = board.cut === null
    ? `<p class="hint">No cut yet: the board follows the song's ${clock(board.song.seconds)} time axis.</p>`
    : `<video id="cut" controls preload="metadata" src="${esc(fileUrl(board.cut))}" aria-label="The cut with the song"></video>`;
  return `<section class="cutbox" aria-label="The cut">${cut}</section>
    <p class="hint">${esc(song)}${board.cards.length} sequences. <span class="keys">Keys: j/k or ←/→ move between cards, Enter opens one.</span></p>
    <div class="timeline-scroll" id="scroll"><div class="timeline" id="timeline" style="width:${width}px" data-cards="${board.cards.length}" aria-label="Sequences along the song">
      <div class="axis" aria-hidden="true">${ticks.join('')}</div>
      <div class="sections" id="sections" aria-hidden="true"></div>
      <div class="playhead" id="playhead" style="left:0" hidden></div>
      <div id="cards" role="list"></div>
    </div></div>
    <footer class="totals"><span>Spent so far: <strong id="spent">${usd(board.spentUsd)}</strong></span><span>Estimate for what remains: <strong id="remaining">${usd(board.remainingUsd)}</strong> at real prices</span></footer>`;
}

/**
 * The board draws only the cards near the visible stretch of the song (a screen's width either
 * side): a song of a thousand sequences scrolls as smoothly as one of twelve.
 */
const boardView = { data: null, drawn: '', playing: undefined };

function drawCards(force = false) {
  const scroll = document.getElementById('scroll');
  if (!scroll || boardView.data === null) return;
  const margin = scroll.clientWidth;
  const from = (scroll.scrollLeft - margin) / PX_PER_SECOND;
  const to = (scroll.scrollLeft + scroll.clientWidth + margin) / PX_PER_SECOND;
  const near = (item) => item.end >= from && item.start <= to;
  const cards = boardView.data.cards.filter(near);
  const key = `${cards[0]?.id}:${cards.at(-1)?.id}`;
  if (!force && key === boardView.drawn) return;
  boardView.drawn = key;
  const focused = document.activeElement?.dataset?.id;
  document.getElementById('sections').innerHTML = boardView.data.sections.filter(near).map((s) => `<span class="section" style="left:${s.start * PX_PER_SECOND}px;width:${(s.end - s.start) * PX_PER_SECOND}px">${esc(s.name)}</span>`).join('');
  document.getElementById('cards').innerHTML = cards.map(cardHtml).join('');
  const again = focused && view.querySelector(`[data-card][data-id="${CSS.escape(focused)}"]`);
  if (again) again.focus({ preventScroll: true });
  tickElapsed();
}

/** Puts a card (by its place in the song) in view, draws it, and gives it the focus. */
function focusCard(index) {
  const card = boardView.data?.cards[Math.min(boardView.data.cards.length - 1, Math.max(0, index))];
  const scroll = document.getElementById('scroll');
  if (!card || !scroll) return;
  const left = card.start * PX_PER_SECOND;
  const right = card.end * PX_PER_SECOND;
  if (left < scroll.scrollLeft || right > scroll.scrollLeft + scroll.clientWidth) scroll.scrollLeft = left - (scroll.clientWidth - (right - left)) / 2;
  drawCards();
  view.querySelector(`[data-card][data-id="${CSS.escape(card.id)}"]`)?.focus({ preventScroll: true });
}

function openCard(card) {
  location.hash = card.dataset.state === 'grid_review' ? `#/grid/${card.dataset.id}` : `#/dailies/${card.dataset.id}`;
}

/** The playhead follows the cut; the card under it is marked and kept in view. */
function followCut() {
  const video = document.getElementById('cut');
  const playhead = document.getElementById('playhead');
  if (!video) return;
  video.addEventListener('timeupdate', () => {
    playhead.hidden = false;
    playhead.style.left = `${video.currentTime * PX_PER_SECOND}px`;
    const index = boardView.data.cards.findIndex((c) => video.currentTime >= c.start && video.currentTime < c.end);
    const id = boardView.data.cards[index]?.id;
    if (id !== boardView.playing) {
      boardView.playing = id;
      if (index >= 0) focusCard(index);
    }
    for (const card of view.querySelectorAll('[data-card]')) card.classList.toggle('playing', card.dataset.id === id);
  });
}

async function renderBoard() {
  const data = await api('/api/board');
  document.getElementById('title').textContent = `${data.title}: Sequence Board`;
  const scrolled = document.getElementById('scroll')?.scrollLeft ?? 0;
  boardView.data = data;
  view.innerHTML = boardHtml(data);
  const scroll = document.getElementById('scroll');
  scroll.scrollLeft = scrolled;
  scroll.addEventListener('scroll', () => requestAnimationFrame(() => drawCards()), { passive: true });
  drawCards(true);
  followCut();
  stampRendered();
}

// ---------------------------------------------------------------- Dailies

function diffHtml(shot) {
  if (shot.diff === null) return esc(shot.prompt);
  return shot.diff.map((part) => (part.op === 'added' ? `<ins>${esc(part.text)}</ins>` : part.op === 'removed' ? `<del>${esc(part.text)}</del>` : esc(part.text))).join('');
}

function takeHtml(take, sequence) {
  const number = Number(take.id.slice(take.id.lastIndexOf('take') + 4));
  const finished = take.state !== 'failed' && take.state !== 'unfinished';
  const verdicts = take.kind === 'take' && finished
    ? `<button data-act="approve" aria-keyshortcuts="a">Approve</button> <button data-act="reject" aria-keyshortcuts="r">Reject…</button>${take.approved ? ' <button data-act="final">Make final</button>' : ''}`
    : '';
  const shots = take.shots.map((shot) => `<li><span class="n">shot ${shot.shot} · ${esc(shot.duration)} s${shot.overridden ? ' · override' : ''}</span>${diffHtml(shot)}${shot.previous === null ? '' : ` <span class="meta">(vs ${esc(shot.previous)})</span>`}
    ${finished && !take.current ? ` <button data-use="${shot.shot}">Use this shot's prompt</button>` : ''}</li>`).join('');
  return `<section class="take" data-take="${esc(take.id)}" data-number="${number}" tabindex="0" aria-label="${esc(`${take.id}, ${take.state}`)}">
    <div>${media(take.output, take.id)}</div>
    <div>
      <h3>${esc(take.id)} <span class="chip" style="--state:var(--${take.state === 'approved' ? 'approved' : take.state === 'rejected' ? 'not_started' : 'review'})">${esc(take.state)}</span></h3>
      <p class="meta">${esc(take.mode ?? take.kind)} · ${esc(take.provider)} ${esc(take.model)} · ${usd(take.costUsd)} · ${esc(take.createdAt.slice(0, 16).replace('T', ' '))} UTC</p>
      ${take.note === null ? '' : `<p class="note">Note: ${esc(take.note)}</p>`}
      ${take.error === null ? '' : `<p class="error">${esc(take.error)}</p>`}
      <ol class="shots">${shots}</ol>
      <p>${verdicts}</p>
    </div>
  </section>`;
}

function sequenceBar(data, here) {
  const { card } = data;
  const grid = data.grid === null ? '' : here === 'grid' ? `<a href="#/dailies/${esc(card.id)}">Dailies</a>` : `<a href="#/grid/${esc(card.id)}">Grid review</a>`;
  return `<div class="bar">
    <a href="#/">← Board</a> <strong>${esc(card.id)} · ${esc(card.title ?? '')}</strong>
    <span class="chip" style="--state:var(--${esc(card.state)})" id="state">${esc(card.state.replaceAll('_', ' '))}</span>
    <span>${esc(card.section)} ${clock(card.start)}–${clock(card.end)} · spent ${usd(card.spentUsd)} · next: ${esc(card.next)}</span>
    ${card.running.map(runningText).join(' ')}
    <button data-build="build" aria-keyshortcuts="b">Build this sequence</button> <button data-build="retake">Retake</button> ${grid}
  </div>`;
}

async function renderDailies(id) {
  const data = await api(`/api/sequences/${encodeURIComponent(id)}`);
  document.getElementById('title').textContent = `Dailies: ${data.card.id}`;
  const selected = document.querySelector('.take.selected')?.dataset.take;
  const takes = [...data.takes].reverse();
  view.innerHTML = `${sequenceBar(data, 'dailies')}
    <p class="keys">Keys: j/k next/previous take, a approve, r reject, b build.</p>
    ${takes.length === 0 ? '<p>No takes yet.</p>' : takes.map((take) => takeHtml(take, data.card.id)).join('')}`;
  wireSequence(data);
  const again = (selected && view.querySelector(`.take[data-take="${CSS.escape(selected)}"]`)) ?? view.querySelector('.take');
  again?.classList.add('selected');
  tickElapsed();
  stampRendered();
}

function selectedTake() {
  return view.querySelector('.take.selected');
}

function selectTake(step) {
  const all = [...view.querySelectorAll('.take')];
  const at = all.indexOf(selectedTake());
  const next = all[Math.min(all.length - 1, Math.max(0, at + step))];
  if (!next) return;
  all.forEach((take) => take.classList.toggle('selected', take === next));
  next.focus();
}

async function askNote() {
  const dialog = document.getElementById('note');
  document.getElementById('note-text').value = '';
  dialog.showModal();
  await new Promise((resolve) => dialog.addEventListener('close', resolve, { once: true }));
  return dialog.returnValue === 'ok' ? document.getElementById('note-text').value : undefined;
}

async function verdict(section, which) {
  const sequence = currentSequence();
  const take = Number(section.dataset.number);
  if (which === 'reject') {
    const note = await askNote();
    if (note === undefined) return;
    return act(() => api(`/api/sequences/${sequence}/reject`, { take, note }));
  }
  if (which === 'final') return act(() => api(`/api/sequences/${sequence}/final`, {}));
  return act(() => api(`/api/sequences/${sequence}/approve`, { take }));
}

/** Prices the build first; only a confirmation naming that price runs it. */
async function build(retake) {
  const sequence = currentSequence();
  let quote;
  try {
    quote = await api(`/api/sequences/${sequence}/quote`, { retake });
  } catch (error) {
    return say(error.message, true);
  }
  const dialog = document.getElementById('confirm');
  const nodes = quote.nodes.length === 0
    ? '<p>Nothing to build: every node is up to date.</p>'
    : `<ul>${quote.nodes.map((n) => `<li>${esc(n.id)}: ${esc(n.why)}${n.paid ? ` — ${usd(n.estimateUsd)}${n.billed ? '' : ' at real prices (free here)'}` : ' (free)'}</li>`).join('')}</ul>`;
  const budget = quote.budget.maxUsd === null ? '' : `<p>This console may spend ${usd(quote.budget.maxUsd - quote.budget.spentUsd)} more (--max-cost ${usd(quote.budget.maxUsd)}).</p>`;
  document.getElementById('confirm-title').textContent = `${retake ? 'Retake' : 'Build'} ${sequence}`;
  document.getElementById('confirm-body').innerHTML = `${nodes}<p id="price">Price: <strong>${usd(quote.estimateUsd)}</strong> at real prices; charged now: <strong>${usd(quote.billedUsd)}</strong>.</p>${budget}`;
  document.getElementById('confirm-ok').textContent = `${retake ? 'Retake' : 'Build'} for ${usd(quote.estimateUsd)}`;
  dialog.showModal();
  await new Promise((resolve) => dialog.addEventListener('close', resolve, { once: true }));
  if (dialog.returnValue !== 'ok' || quote.nodes.length === 0) return say('Nothing was built.');
  await act(() => api(`/api/sequences/${sequence}/build`, { retake, confirmedUsd: quote.estimateUsd }));
}

function wireSequence(data) {
  for (const button of view.querySelectorAll('[data-build]')) button.addEventListener('click', () => build(button.dataset.build === 'retake'));
  for (const button of view.querySelectorAll('[data-act]')) button.addEventListener('click', () => verdict(button.closest('.take'), button.dataset.act));
  for (const button of view.querySelectorAll('[data-use]')) {
    button.addEventListener('click', () => act(() => api(`/api/sequences/${data.card.id}/use`, { shot: Number(button.dataset.use), take: button.closest('.take').dataset.take })));
  }
  for (const take of view.querySelectorAll('.take')) take.addEventListener('click', () => view.querySelectorAll('.take').forEach((t) => t.classList.toggle('selected', t === take)));
}

// ---------------------------------------------------------------- grid review

function gridHtml(grid, view) {
  const cells = [];
  for (let n = 1; n <= view.rows * view.cols; n++) {
    const picked = view.picked?.cell === n && view.picked.takeId === grid.takeId;
    cells.push(`<button class="cell${picked ? ' picked' : ''}" data-cell="${n}" data-grid="${esc(grid.takeId)}" aria-label="Pick cell ${n} of ${esc(grid.takeId)}${picked ? ' (picked)' : ''}"></button>`);
  }
  return `<figure class="gridwrap"><img src="${esc(fileUrl(grid.output))}" alt="${esc(grid.takeId)}">
    <div class="cells" style="grid-template-columns:repeat(${view.cols},1fr);grid-template-rows:repeat(${view.rows},1fr)">${cells.join('')}</div>
    <figcaption>${esc(grid.takeId)}${grid.current ? ' (newest)' : ''}</figcaption></figure>`;
}

async function renderGrid(id) {
  const data = await api(`/api/sequences/${encodeURIComponent(id)}`);
  document.getElementById('title').textContent = `Grid review: ${data.card.id}`;
  const grid = data.grid;
  const body = grid === null
    ? '<p>This sequence has no grid.</p>'
    : `<p class="hint">Click a cell (or Tab to it and press Enter) to make it the start frame.</p>
       <div class="grids">${[...grid.grids].reverse().map((g) => gridHtml(g, grid)).join('')}</div>
       ${grid.frame === null ? '' : `<section class="frame"><h2>Start frame</h2><img id="frame" src="${esc(fileUrl(grid.frame))}" alt="The start frame"></section>`}`;
  view.innerHTML = `${sequenceBar(data, 'grid')}${body}`;
  wireSequence(data);
  for (const cell of view.querySelectorAll('.cell')) {
    cell.addEventListener('click', () => act(() => api(`/api/sequences/${data.card.id}/pick`, { cell: Number(cell.dataset.cell), grid: cell.dataset.grid })));
  }
  stampRendered();
}

/** When the view was laid out and painted, for the bench and the tests. */
function stampRendered() {
  requestAnimationFrame(() => setTimeout(() => (document.body.dataset.rendered = String(performance.now()))));
}

// ---------------------------------------------------------------- routing, keys, live updates

function currentSequence() {
  return location.hash.split('/')[2];
}

async function render() {
  const [, page, id] = location.hash.split('/');
  try {
    if (page === 'dailies' && id) await renderDailies(id);
    else if (page === 'grid' && id) await renderGrid(id);
    else await renderBoard();
  } catch (error) {
    say(error.message, true);
  }
}

document.addEventListener('keydown', (event) => {
  if (event.target.closest?.('input, textarea, dialog, video') || event.ctrlKey || event.metaKey || event.altKey) return;
  const [, page] = location.hash.split('/');
  if (page === 'dailies') {
    const take = selectedTake();
    if (event.key === 'j') selectTake(1);
    else if (event.key === 'k') selectTake(-1);
    else if (event.key === 'a' && take?.querySelector('[data-act="approve"]')) verdict(take, 'approve');
    else if (event.key === 'r' && take?.querySelector('[data-act="reject"]')) verdict(take, 'reject');
    else if (event.key === 'b') build(false);
    else return;
    event.preventDefault();
  } else if (page !== 'grid') {
    const focused = document.activeElement?.closest?.('[data-card]');
    const at = focused ? (boardView.data?.cards.findIndex((c) => c.id === focused.dataset.id) ?? -1) : -1;
    const move = event.key === 'j' || event.key === 'ArrowRight' ? 1 : event.key === 'k' || event.key === 'ArrowLeft' ? -1 : 0;
    if (move !== 0) focusCard(at + move);
    else if (event.key === 'Enter' && focused) openCard(focused);
    else return;
    event.preventDefault();
  }
});

view.addEventListener('click', (event) => {
  const card = event.target.closest('[data-card]');
  if (card) openCard(card);
});

let pending;
const events = new EventSource(withToken('/api/events'));
events.addEventListener('change', () => {
  // Writes come in bursts: the page reads at most every 150 ms while they last (a take in fal's
  // queue rewrites its record at every poll, so waiting for quiet would show nothing until it ends),
  // and never while a dialog is open.
  pending ??= setTimeout(() => {
    pending = undefined;
    if (!document.querySelector('dialog[open]')) render();
  }, 150);
});
events.addEventListener('build', (event) => {
  const ended = JSON.parse(event.data);
  say(ended.message, !ended.ok);
  render();
});

window.addEventListener('hashchange', () => {
  render().then(() => view.focus({ preventScroll: true }));
});
render();
