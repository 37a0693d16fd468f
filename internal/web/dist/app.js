// lastmile workspace: planner, courier and operator views over the HTTP
// API. Plain ES module, no build step; MapLibre GL JS draws with WebGL.
import * as maplibregl from './vendor/maplibre-gl/maplibre-gl.mjs';

const $ = (sel, root = document) => root.querySelector(sel);
const $$ = (sel, root = document) => [...root.querySelectorAll(sel)];

// Okabe–Ito: eight colours distinguishable with any colour vision.
const OKABE = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#F0E442', '#000000'];
// Viridis stops for workload and demand (perceptually uniform, colour-blind safe).
const VIRIDIS = ['#440154', '#3b528b', '#21918c', '#5ec962', '#fde725'];
const KIND_COLOURS = {
  cloud_warehouse: '#000000', distribution_centre: '#0072B2', station: '#56B4E9', locker: '#E69F00',
  express_store: '#CC79A7', county_hub: '#D55E00', township_station: '#009E73',
};

const state = {
  key: sessionStorage.getItem('lastmile.key') || '',
  me: null,
  view: 'planner',
  plan: null,        // {id, kind, report, fc}
  run: null,         // {abort, jobId}
  courier: { id: 'c1', route: null, etag: '', previousOrder: [] },
  uploads: { parcels: null, facilities: null },
};

// ---------------------------------------------------------------- API

class APIError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

async function api(path, { method = 'GET', body, headers = {}, signal, raw = false } = {}) {
  const h = { Accept: 'application/json', ...headers };
  if (state.key) h.Authorization = 'Bearer ' + state.key;
  if (body !== undefined) h['Content-Type'] = 'application/json';
  const resp = await fetch(path, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body), signal });
  if (raw) return resp;
  const text = await resp.text();
  let doc = null;
  try { doc = text ? JSON.parse(text) : null; } catch { doc = { detail: text }; }
  if (!resp.ok) throw new APIError(resp.status, doc);
  return { status: resp.status, doc, headers: resp.headers };
}

// events reads a server-sent event stream with the key in a header (the
// browser's EventSource cannot send one) and calls on(event, data).
async function events(path, on, signal) {
  const resp = await fetch(path, { headers: { Authorization: 'Bearer ' + state.key, Accept: 'text/event-stream' }, signal });
  if (!resp.ok || !resp.body) throw new APIError(resp.status, null);
  const reader = resp.body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buf += value;
    let i;
    while ((i = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      let ev = 'message', data = '';
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) ev = line.slice(6).trim();
        else if (line.startsWith('data:')) data += line.slice(5).trim();
      }
      if (data) {
        let parsed; try { parsed = JSON.parse(data); } catch { parsed = data; }
        if (on(ev, parsed) === false) { reader.cancel(); return; }
      }
    }
  }
}

// ---------------------------------------------------------------- URL state

function readHash() {
  return new URLSearchParams(location.hash.replace(/^#/, ''));
}

function writeHash() {
  const p = new URLSearchParams();
  p.set('view', state.view);
  if (state.plan) {
    p.set('run', state.plan.kind);
    if (state.plan.id) p.set('plan', state.plan.id);
  }
  for (const id of ['seed', 'parcels', 'carriers', 'iterations', 'timelimit', 'counties', 'radius']) p.set(id, $('#' + id).value);
  p.set('layers', $$('[data-layer]').filter((c) => c.checked).map((c) => c.dataset.layer).join(','));
  for (const id of ['day', 'echelon', 'cold']) if ($('#' + id).value) p.set(id, $('#' + id).value);
  if (map) {
    const c = map.getCenter();
    p.set('map', `${map.getZoom().toFixed(2)}/${c.lat.toFixed(4)}/${c.lng.toFixed(4)}`);
  }
  history.replaceState(null, '', '#' + p.toString());
}

function applyHash() {
  const p = readHash();
  for (const id of ['seed', 'parcels', 'carriers', 'iterations', 'timelimit', 'counties', 'radius']) if (p.has(id)) $('#' + id).value = p.get(id);
  if (p.has('layers')) {
    const on = new Set(p.get('layers').split(','));
    for (const c of $$('[data-layer]')) c.checked = on.has(c.dataset.layer);
  }
  for (const id of ['day', 'echelon', 'cold']) if (p.has(id)) {
    const sel = $('#' + id);
    if (![...sel.options].some((o) => o.value === p.get(id))) sel.add(new Option(p.get(id), p.get(id)));
    sel.value = p.get(id);
  }
  return p;
}

// ---------------------------------------------------------------- map

let map;
const EMPTY = { type: 'FeatureCollection', features: [] };

function initMap(view) {
  const tiles = $('meta[name="lastmile-tiles"]').content;
  const style = {
    version: 8,
    sources: {},
    layers: [{ id: 'background', type: 'background', paint: { 'background-color': '#f2efe6' } }],
  };
  if (tiles) {
    style.sources.tiles = { type: 'raster', tiles: [tiles], tileSize: 256, attribution: 'Tiles: ' + new URL(tiles, location.href).host };
    style.layers.push({ id: 'tiles', type: 'raster', source: 'tiles' });
  }
  const [z, lat, lng] = (view || '9/29.56/106.55').split('/').map(Number);
  map = new maplibregl.Map({
    container: 'map', style, center: [lng, lat], zoom: z, attributionControl: false,
    maxBounds: [[103.5, 27.5], [111.5, 33]], fadeDuration: 0,
    // Past 2 device pixels per CSS pixel the map looks the same and fills
    // many more pixels per frame.
    pixelRatio: Math.min(window.devicePixelRatio || 1, 2),
  });
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-left');
  map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'bottom-left');
  map.on('moveend', writeHash);
  return new Promise((resolve) => map.on('load', resolve));
}

async function addBaseMap() {
  const { doc } = await api('/v1/geo/boundaries');
  $('#attribution').textContent = [doc.attribution, tilesAttribution()].filter(Boolean).join(' · ') + ' · Map: MapLibre GL JS (BSD-3-Clause)';
  map.addSource('base', { type: 'geojson', data: doc });
  map.addLayer({ id: 'county-fill', type: 'fill', source: 'base', filter: ['==', ['get', 'layer'], 'county'],
    paint: { 'fill-color': ['case', ['get', 'main_urban'], '#ffffff', '#f8f6f0'], 'fill-opacity': $('meta[name="lastmile-tiles"]').content ? 0.15 : 1 } });
  map.addLayer({ id: 'county-line', type: 'line', source: 'base', filter: ['==', ['get', 'layer'], 'county'],
    paint: { 'line-color': '#7d7668', 'line-width': ['interpolate', ['linear'], ['zoom'], 7, 0.6, 12, 1.6] } });
  map.addLayer({ id: 'township', type: 'circle', source: 'base', filter: ['==', ['get', 'layer'], 'township'], minzoom: 8,
    paint: { 'circle-radius': 2, 'circle-color': '#9a927f', 'circle-stroke-width': 0 } });
  hover('county-fill', (p) => `<b lang="zh">${esc(p.name)}</b> ${esc(p.adcode)}${p.main_urban ? ' · main urban' : ''}`);
  hover('township', (p) => `<b lang="zh">${esc(p.name)}</b> ${esc(p.kind)}<br><span lang="zh">${esc(p.county_name)}</span>`);
}

function tilesAttribution() {
  const t = $('meta[name="lastmile-tiles"]').content;
  return t ? 'Tiles: ' + new URL(t, location.href).host : '';
}

function addPlanLayers() {
  for (const id of ['plan', 'cov', 'sites', 'fac', 'courier', 'focus']) map.addSource(id, { type: 'geojson', data: EMPTY });
  const L = (layer) => ['==', ['get', 'layer'], layer];
  // Coverage cells: viridis by demand, uncovered cells outlined in vermillion.
  map.addLayer({ id: 'cov-fill', type: 'fill', source: 'cov', paint: {
    'fill-color': ['case', ['has', '_colour'], ['get', '_colour'],
      ['interpolate', ['linear'], ['coalesce', ['get', '_norm'], 0], 0, VIRIDIS[0], 0.25, VIRIDIS[1], 0.5, VIRIDIS[2], 0.75, VIRIDIS[3], 1, VIRIDIS[4]]],
    'fill-opacity': 0.6 } });
  map.addLayer({ id: 'cov-line', type: 'line', source: 'cov', paint: {
    'line-color': ['case', ['==', ['get', 'status'], 'uncovered'], '#D55E00', 'rgba(0,0,0,0.15)'],
    'line-width': ['case', ['==', ['get', 'status'], 'uncovered'], 1.5, 0.5] } });
  map.addLayer({ id: 'zone-fill', type: 'fill', source: 'plan', filter: L('zone'), paint: {
    'fill-color': ['interpolate', ['linear'], ['coalesce', ['get', '_norm'], 0], 0, VIRIDIS[0], 0.25, VIRIDIS[1], 0.5, VIRIDIS[2], 0.75, VIRIDIS[3], 1, VIRIDIS[4]],
    'fill-opacity': 0.35 } });
  map.addLayer({ id: 'zone-line', type: 'line', source: 'plan', filter: L('zone'), paint: { 'line-color': '#333', 'line-width': 0.8 } });
  // Routes: solid lines, and cold-chain routes dashed in a layer of their
  // own, so that the common case draws without the dash pattern. Default
  // (miter) joins: at 1 to 3 px round ones look the same and cost more
  // triangles. Stops are one circle layer, outlined only from zoom 13,
  // where they are large enough for it to show.
  const routeWidth = ['interpolate', ['linear'], ['zoom'], 8, 1, 13, 3];
  map.addLayer({ id: 'route-line', type: 'line', source: 'plan', filter: routeFilter([]),
    paint: { 'line-color': ['get', '_colour'], 'line-width': routeWidth } });
  map.addLayer({ id: 'route-cold', type: 'line', source: 'plan', filter: routeFilter([], true),
    paint: { 'line-color': ['get', '_colour'], 'line-width': routeWidth, 'line-dasharray': [2, 1] } });
  map.addLayer({ id: 'stop', type: 'circle', source: 'plan', filter: L('stop'), paint: {
    'circle-radius': ['interpolate', ['linear'], ['zoom'], 8, 1.5, 14, 5], 'circle-color': ['get', '_colour'],
    'circle-stroke-color': '#fff', 'circle-stroke-width': ['step', ['zoom'], 0, 13, 0.5] } });
  // Centres; the rural week's marks by kind (villages small, hubs large).
  map.addLayer({ id: 'depot', type: 'circle', source: 'plan', filter: ['any', L('depot'), L('site')], paint: {
    'circle-radius': ['case', ['==', ['get', 'layer'], 'depot'], 5,
      ['match', ['get', 'kind'], 'village', 2.5, 'hub', 7, 'city', 7, 4.5]],
    'circle-color': ['case', ['==', ['get', 'layer'], 'depot'], '#000',
      ['match', ['get', 'kind'], 'village', '#999999', 'station', '#009E73', 'cold_station', '#0072B2', 'hub', '#D55E00', 'city', '#000000', '#56B4E9']],
    'circle-stroke-color': '#fff', 'circle-stroke-width': 1 } });
  // Allocation, coverage points, site choices and location answers: by role.
  map.addLayer({ id: 'site-point', type: 'circle', source: 'sites', paint: {
    'circle-radius': ['match', ['get', 'role'], 'chosen', 8, 'open', 8, 'warehouse', 9, 'demand', 2.5, 4],
    'circle-color': ['match', ['get', 'role'], 'chosen', '#D55E00', 'open', '#D55E00', 'existing', '#0072B2',
      'demand', ['coalesce', ['get', '_colour'], '#999'], 'warehouse', ['coalesce', ['get', '_colour'], '#000'], '#bbb'],
    'circle-stroke-color': ['match', ['get', 'role'], 'warehouse', '#000', '#fff'],
    'circle-stroke-width': ['match', ['get', 'role'], 'chosen', 2, 'open', 2, 'warehouse', 2, 0.5] } });
  map.addLayer({ id: 'fac-point', type: 'circle', source: 'fac', paint: {
    'circle-radius': 4, 'circle-color': ['coalesce', ['get', '_colour'], '#666'], 'circle-stroke-color': '#fff', 'circle-stroke-width': 1 } });
  map.addLayer({ id: 'courier-line', type: 'line', source: 'courier', filter: ['==', ['geometry-type'], 'LineString'],
    paint: { 'line-color': '#0072B2', 'line-width': 3 } });
  map.addLayer({ id: 'courier-stop', type: 'circle', source: 'courier', filter: ['==', ['geometry-type'], 'Point'], paint: {
    'circle-radius': 7, 'circle-stroke-color': '#fff', 'circle-stroke-width': 2,
    'circle-color': ['match', ['get', 'status'], 'delivered', '#009E73', 'failed', '#D55E00', 'in_progress', '#E69F00', '#0072B2'] } });

  // The feature the keyboard is on: a dark halo under an amber outline.
  map.addLayer({ id: 'focus-halo', type: 'line', source: 'focus', paint: { 'line-color': '#000', 'line-width': 6, 'line-opacity': 0.6 } });
  map.addLayer({ id: 'focus-line', type: 'line', source: 'focus', paint: { 'line-color': '#E69F00', 'line-width': 3 } });
  map.addLayer({ id: 'focus-point', type: 'circle', source: 'focus', filter: ['==', ['geometry-type'], 'Point'], paint: {
    'circle-radius': 9, 'circle-color': 'rgba(0,0,0,0)', 'circle-stroke-color': '#E69F00', 'circle-stroke-width': 3 } });

  hover('zone-fill', (p) => `<b>Zone ${esc(p.id)}</b>${p.district ? ' · ' + districtLabel(p.district) : ''}<br>` +
    `workload ${fmt(p.workload_hours, 1)} h · ${p.parcels ?? '?'} parcels<br>compactness ${fmt(p.compactness, 2)} (1 for a disc)`);
  const routeText = (p) => `<b>${esc(p.vehicle)}</b> ${esc(p.type || '')} ${esc(p.group || '')}<br>` +
    `${fmt(p.km, 1)} km · ${fmt(p.hours ?? (p.end - p.start) / 3600, 2)} h · ${p.cost_yuan !== undefined ? '¥' + fmt(p.cost_yuan, 0) + ' · ' : ''}${p.stops} stops` +
    (p.day !== undefined ? `<br>day ${p.day} · echelon ${p.echelon}${p.cold_chain ? ' · cold chain' : ''} · ${esc(p.start_clock)}–${esc(p.end_clock)}` : '');
  hover('route-line', routeText);
  hover('route-cold', routeText);
  hover('stop', (p) => `<b>${esc(p.id)}</b> · ${esc(p.vehicle)} #${p.sequence}<br>arrival ${esc(p.arrival_clock || p._eta || '?')}`);
  hover('depot', (p) => `<b>${esc(p.id)}</b> ${esc(p.kind || 'centre')}`);
  hover('site-point', (p) => `<b>${esc(p.id ?? p.role)}</b> ${esc(p.role)}${p.order ? ' · pick ' + p.order : ''}${p.weight !== undefined ? ' · weight ' + p.weight : ''}` +
    `${p.warehouse ? ' · ' + esc(p.warehouse) : ''}${p.share !== undefined ? ' · share ' + fmt(100 * p.share, 1) + ' %' : ''}`);
  hover('cov-fill', (p) => p.warehouse !== undefined
    ? `<b>demand</b> ${fmt(p.volume, 0)} · served by ${esc(p.warehouse || 'none')}${p.unserved ? ' · unserved ' + fmt(p.unserved, 0) : ''}`
    : `<b>cell</b> ${esc(p.status)}<br>demand ${fmt(p.demand, 0)} · covered ${fmt(p.covered, 0)} · served ${fmt(p.served, 0)}`);
  hover('fac-point', (p) => `<b>${esc(p.name || p.id)}</b><br>${esc(p.kind)}${p.per_day ? ' · ' + p.per_day + '/day' : ''}`);
  hover('courier-stop', (p) => `<b>${esc(p.id)}</b> #${p.sequence + 1} · ${esc(p.status)}<br>arrival ${clock(p.arrival)}`);
}

const hovered = new Map();
// describe holds each layer's hover text, which the keyboard shows too.
const describe = {};
function hover(layer, html) {
  describe[layer] = html;
  const tip = $('#tooltip');
  map.on('mousemove', layer, (e) => {
    const f = e.features && e.features[0];
    if (!f) return;
    hovered.set(layer, true);
    map.getCanvas().style.cursor = 'pointer';
    tip.innerHTML = html(f.properties);
    tip.hidden = false;
    tip.style.left = Math.min(e.point.x + 12, map.getCanvas().clientWidth - 290) + 'px';
    tip.style.top = (e.point.y + 12) + 'px';
  });
  map.on('mouseleave', layer, () => {
    hovered.delete(layer);
    if (hovered.size === 0) { tip.hidden = true; map.getCanvas().style.cursor = ''; }
  });
}

// sourceData keeps what each GeoJSON source holds, for the keyboard.
const sourceData = {};
function setSource(id, fc) {
  sourceData[id] = fc;
  map.getSource(id).setData(fc);
}

// ---------------------------------------------------------------- keyboard reach to the map's features

// With the map focused, N and P (or ] and [) step through the features of
// the shown layers in this order, and Z, R and S jump to the first zone,
// route and stop: each shows the hover text beside the feature, outlines
// it, and says it through an aria-live region. Escape clears.
const KEY_LAYERS = [
  { layer: 'zone-fill', source: 'plan', key: 'z', match: (p) => p.layer === 'zone' },
  { layer: 'route-line', source: 'plan', key: 'r', match: (p) => p.layer === 'route' && ruralPass(p, false) },
  { layer: 'stop', source: 'plan', key: 's', match: (p) => p.layer === 'stop' && ruralPass(p, true) },
  { layer: 'depot', source: 'plan', match: (p) => p.layer === 'depot' || p.layer === 'site' },
  { layer: 'courier-stop', source: 'courier', point: true },
  { layer: 'site-point', source: 'sites', point: true },
  { layer: 'fac-point', source: 'fac' },
  { layer: 'cov-fill', source: 'cov', polygon: true },
];

const keyNav = { list: [], index: -1 };

// ruralPass mirrors applyRuralFilters: stops without a property pass its test.
function ruralPass(p, lenient) {
  const day = $('#day').value, ech = $('#echelon').value, cold = $('#cold').value;
  const ok = (k, v) => v === '' || (lenient && p[k] === undefined) || p[k] === (k === 'cold_chain' ? v === 'true' : Number(v));
  return ok('day', day) && ok('echelon', ech) && ok('cold_chain', cold);
}

function keyFeatures() {
  const out = [];
  for (const k of KEY_LAYERS) {
    if (!map.getLayer(k.layer) || map.getLayoutProperty(k.layer, 'visibility') === 'none') continue;
    for (const f of sourceData[k.source]?.features || []) {
      const t = f.geometry?.type || '';
      if (k.match && !k.match(f.properties || {})) continue;
      if (k.point && t !== 'Point') continue;
      if (k.polygon && !t.endsWith('Polygon')) continue;
      out.push({ f, layer: k.layer });
    }
  }
  return out;
}

// anchorOf is where a feature's text goes: a point, a line's middle
// vertex, a polygon's vertex mean.
function anchorOf(g) {
  if (g.type === 'Point') return g.coordinates;
  if (g.type === 'LineString') return g.coordinates[Math.floor(g.coordinates.length / 2)];
  const ring = g.type === 'Polygon' ? g.coordinates[0] : g.coordinates[0][0];
  const n = ring.length - 1 || 1;
  return [ring.slice(0, n).reduce((a, c) => a + c[0], 0) / n, ring.slice(0, n).reduce((a, c) => a + c[1], 0) / n];
}

function onMapKey(e) {
  if (e.altKey || e.ctrlKey || e.metaKey) return;
  const key = e.key.toLowerCase();
  if (key === 'escape') { clearKeyFeature(); return; }
  const jump = KEY_LAYERS.find((k) => k.key === key);
  if (!jump && !['n', 'p', ']', '['].includes(key)) return;
  e.preventDefault();
  keyNav.list = keyFeatures();
  const n = keyNav.list.length;
  if (n === 0) { say('No features in the shown layers.'); return; }
  let i;
  if (jump) {
    i = keyNav.list.findIndex((x) => x.layer === jump.layer);
    if (i < 0) { say(`No ${jump.layer.split('-')[0]}s shown.`); return; }
  } else {
    const step = key === 'n' || key === ']' ? 1 : -1;
    i = keyNav.index < 0 ? (step > 0 ? 0 : n - 1) : (keyNav.index + step + n) % n;
  }
  showKeyFeature(i);
}

function showKeyFeature(i) {
  keyNav.index = i;
  const { f, layer } = keyNav.list[i];
  const at = anchorOf(f.geometry);
  if (!map.getBounds().contains(at)) map.jumpTo({ center: at });
  setSource('focus', { type: 'FeatureCollection', features: [f] });
  const html = (describe[layer] || (() => ''))(f.properties || {});
  placeTip(html, at);
  const el = $('#map-feature');
  el.dataset.layer = layer;
  el.dataset.index = String(i);
  const tmp = document.createElement('div');
  tmp.innerHTML = html.replaceAll('<br>', '. ');
  say(`${i + 1} of ${keyNav.list.length}: ${tmp.textContent}`);
}

function placeTip(html, at) {
  const tip = $('#tooltip');
  const pt = map.project(at);
  tip.innerHTML = html;
  tip.hidden = false;
  tip.style.left = Math.max(0, Math.min(pt.x + 12, map.getCanvas().clientWidth - 290)) + 'px';
  tip.style.top = Math.max(0, pt.y + 12) + 'px';
}

function clearKeyFeature() {
  keyNav.index = -1;
  setSource('focus', EMPTY);
  $('#tooltip').hidden = true;
  say('');
}

function say(text) {
  $('#map-feature').textContent = text;
}

function initKeyboard() {
  const canvas = map.getCanvas();
  canvas.setAttribute('aria-label', 'Map. Arrow keys pan, + and − zoom. N and P step through the shown zones, routes and stops; Z, R and S jump to the first zone, route and stop; Escape clears.');
  canvas.setAttribute('aria-describedby', 'map-feature');
  canvas.addEventListener('keydown', onMapKey);
  // The text follows its feature once a move ends (no work while moving).
  map.on('movestart', () => { if (keyNav.index >= 0) $('#tooltip').hidden = true; });
  map.on('moveend', () => {
    const sel = keyNav.list[keyNav.index];
    if (keyNav.index >= 0 && sel) placeTip(describe[sel.layer]?.(sel.f.properties || {}) || '', anchorOf(sel.f.geometry));
  });
}

const LAYER_IDS = {
  zones: ['zone-fill', 'zone-line'], routes: ['route-line', 'route-cold', 'courier-line'], stops: ['stop', 'courier-stop'],
  depots: ['depot'], facilities: ['fac-point'], coverage: ['cov-fill', 'cov-line'], sites: ['site-point'], townships: ['township'],
};

function applyLayers() {
  for (const c of $$('[data-layer]')) {
    for (const id of LAYER_IDS[c.dataset.layer] || []) {
      if (map.getLayer(id)) map.setLayoutProperty(id, 'visibility', c.checked ? 'visible' : 'none');
    }
  }
  const mapEl = $('#map');
  mapEl.dataset.visible = $$('[data-layer]').filter((c) => c.checked).map((c) => c.dataset.layer).join(',');
  if (state.me && state.me.role !== 'courier' && $('[data-layer="facilities"]').checked) loadFacilities();
}

// routeFilter selects the routes passing conds, cold-chain ones or the others.
function routeFilter(conds, cold = false) {
  return ['all', ['==', ['get', 'layer'], 'route'], ['==', ['coalesce', ['get', 'cold_chain'], false], cold], ...conds];
}

function applyRuralFilters() {
  const conds = [];
  const day = $('#day').value, ech = $('#echelon').value, cold = $('#cold').value;
  if (day !== '') conds.push(['==', ['get', 'day'], Number(day)]);
  if (ech !== '') conds.push(['==', ['get', 'echelon'], Number(ech)]);
  if (cold !== '') conds.push(['==', ['get', 'cold_chain'], cold === 'true']);
  // Stops carry the day; echelon and cold chain are their route's.
  const stopF = ['all', ['==', ['get', 'layer'], 'stop'], ...conds.map((c) => ['any', ['!', ['has', c[1][1]]], c])];
  map.setFilter('route-line', routeFilter(conds));
  map.setFilter('route-cold', routeFilter(conds, true));
  map.setFilter('stop', stopF);
  writeHash();
}

// ---------------------------------------------------------------- planner: runs

function runBody(kind) {
  const num = (id) => Number($('#' + id).value) || 0;
  const body = { seed: num('seed'), time_limit_ms: num('timelimit') * 1000 };
  if (num('iterations') > 0) body.iterations = num('iterations');
  if (kind === 'urban') {
    body.parcels = num('parcels');
    if (num('carriers') > 0) body.carriers = num('carriers');
  }
  if (kind === 'rural') {
    const cs = $('#counties').value.split(',').map((s) => s.trim()).filter(Boolean);
    if (cs.length) body.counties = cs;
  }
  return body;
}

// demandPoints is the demand of coverage, sites and allocation runs: the
// uploaded parcels, else the stops of the current urban plan.
function demandPoints() {
  if ($('input[name=source]:checked').value === 'upload' && state.uploads.parcels) return state.uploads.parcels;
  const stops = (state.plan?.fc?.features || []).filter((f) => f.properties.layer === 'stop');
  if (!stops.length) return null;
  // Parcels sharing a building are one demand point.
  const agg = new Map();
  for (const f of stops) {
    const [x, y] = f.geometry.coordinates;
    const k = x.toFixed(5) + ',' + y.toFixed(5);
    const a = agg.get(k) || { location: [x, y], weight: 0 };
    a.weight++;
    agg.set(k, a);
  }
  return [...agg.values()];
}

function planRequest(kind) {
  if (kind === 'urban' || kind === 'rural') return runBody(kind);
  const demand = demandPoints();
  if (!demand) throw new Error('Coverage, sites and allocation need demand: run an urban day first, or upload parcels.');
  const radius = Number($('#radius').value) || 500;
  const fac = $('input[name=source]:checked').value === 'upload' ? state.uploads.facilities : null;
  if (kind === 'coverage') {
    const b = { radius_meters: radius, demand };
    if (fac) b.points = fac.map((f) => ({ id: f.id, location: f.location }));
    return b;
  }
  if (kind === 'sites') {
    // Candidates: uploaded facilities, else demand points on a ~500 m grid.
    let cands = fac ? fac.map((f) => ({ id: f.id, location: f.location })) : null;
    if (!cands) {
      const grid = new Map();
      for (const d of demand) {
        const k = (Math.round(d.location[0] * 200) / 200) + ',' + (Math.round(d.location[1] * 200) / 200);
        if (!grid.has(k)) grid.set(k, { id: 'cand-' + (grid.size + 1), location: d.location });
      }
      cands = [...grid.values()].slice(0, 400);
    }
    return { radius_meters: radius, add: 5, demand, candidates: cands };
  }
  if (kind === 'allocation') {
    return { demand: demand.map((d) => ({ location: d.location, category: 'general', volume: d.weight || 1 })), tariff: { per_parcel_km: 0.05 } };
  }
  throw new Error('unknown run ' + kind);
}

function setBusy(busy) {
  for (const b of $$('[data-run]')) b.disabled = busy;
  $('#cancel').disabled = !busy;
}

function progress(pct, text) {
  const bar = $('#progress');
  if (pct === null) bar.removeAttribute('value');
  else bar.value = pct;
  bar.dataset.state = pct === 100 ? 'done' : pct === null ? 'running' : 'running';
  if (text !== undefined) $('#run-status').textContent = text;
}

async function run(kind) {
  let body;
  try { body = planRequest(kind); } catch (e) { progress(0, e.message); return; }
  const ctl = new AbortController();
  state.run = { abort: ctl, jobId: null, kind };
  setBusy(true);
  $('#progress').dataset.state = 'running';
  const started = performance.now();
  const limit = (body.time_limit_ms || 10000) / 1000;
  progress(null, `Running ${kind}…`);
  const tick = setInterval(() => {
    const s = (performance.now() - started) / 1000;
    if (!state.run?.jobId) $('#run-status').textContent = `Running ${kind}… ${s.toFixed(0)} s`;
  }, 500);
  try {
    const { status, doc, headers } = await api(`/v1/plans/${kind}?format=geojson`, {
      method: 'POST', body, signal: ctl.signal, headers: { Prefer: 'respond-async', Accept: 'application/geo+json, application/json' },
    });
    let fc = doc, planId = doc?.plan_id;
    if (status === 202) {
      // Queued as a job: follow its events, then read the plan it made.
      const job = doc;
      const jobId = job.id || (headers.get('Location') || '').split('/').pop();
      state.run.jobId = jobId;
      const final = await followJob(jobId, limit, ctl.signal);
      if (final.status !== 'succeeded') throw new Error(`job ${jobId} ${final.status}${final.error ? ': ' + final.error : ''}`);
      const res = final.result || {};
      if (res.type === 'FeatureCollection') { fc = res; planId = res.plan_id; }
      else {
        planId = res.plan_id || res.id || final.plan_id;
        fc = null;
      }
    }
    let report = null;
    if (planId) report = (await api('/v1/plans/' + planId, { signal: ctl.signal })).doc.result;
    if (!fc && report) fc = featuresFromReport(kind, report);
    await showPlan({ id: planId, kind, report, fc, cutShort: headers.get('Lastmile-Time-Limit-Reached') === 'true' });
    progress(100, `${kind} plan ${planId || ''} ready in ${((performance.now() - started) / 1000).toFixed(1)} s` +
      (headers.get('Lastmile-Time-Limit-Reached') === 'true' ? ' (cut short by the time limit: best plan so far)' : ''));
  } catch (e) {
    if (e.name === 'AbortError') progress(0, `${kind} run cancelled.`);
    else progress(0, `${kind} run failed: ${e.message}`);
    $('#progress').dataset.state = 'failed';
  } finally {
    clearInterval(tick);
    setBusy(false);
    state.run = null;
    // Scripts and tests wait for this to change.
    const bar = $('#progress');
    bar.dataset.runs = String(Number(bar.dataset.runs || 0) + 1);
  }
}

async function followJob(jobId, limit, signal) {
  let final = null;
  try {
    await events(`/v1/jobs/${jobId}/events`, (ev, data) => {
      if (ev === 'progress') {
        const p = data.progress || {};
        const pct = data.status === 'queued' ? 0 : Math.min(99, 100 * (p.elapsed_seconds || 0) / limit);
        progress(pct, `Job ${jobId} ${data.status}: ${fmt(p.elapsed_seconds, 1)} s, iteration ${p.iteration ?? 0}` +
          (p.best_cost ? `, best cost ${fmt(p.best_cost, 0)}` : ''));
      } else if (ev === 'done') { final = data; return false; }
      return true;
    }, signal);
  } catch (e) {
    if (e.name === 'AbortError') throw e;
  }
  if (!final) final = (await api('/v1/jobs/' + jobId, { signal })).doc;
  return final;
}

async function cancelRun() {
  const r = state.run;
  if (!r) return;
  if (r.jobId) {
    try { await api('/v1/jobs/' + r.jobId, { method: 'DELETE' }); } catch { /* already final */ }
  }
  r.abort.abort();
}

// ---------------------------------------------------------------- planner: drawing

async function showPlan(plan) {
  state.plan = plan;
  const fc = plan.fc || EMPTY;
  const planFeats = [], covFeats = [], siteFeats = [];
  const report = plan.report || {};
  const zoneInfo = new Map((report.zoning?.zones || []).map((z) => [z.id, z]));
  const routeInfo = new Map((report.routes || []).map((r) => [r.vehicle, r]));
  const vehicles = new Map();
  const colourOf = (v) => {
    if (!vehicles.has(v)) vehicles.set(v, OKABE[vehicles.size % OKABE.length]);
    return vehicles.get(v);
  };
  const maxWork = Math.max(1, ...[...zoneInfo.values()].map((z) => z.workload_seconds || 0));
  const warehouses = new Map();
  const warehouseColour = (id) => {
    if (!warehouses.has(id)) warehouses.set(id, OKABE[warehouses.size % OKABE.length]);
    return warehouses.get(id);
  };
  for (const f of fc.features || []) {
    const p = f.properties || {};
    if (plan.kind === 'allocation') {
      // Warehouses (points with their share) and demand places (H3 cells
      // or zone points) in the colour of the warehouse serving them.
      if (p.share !== undefined) {
        p.role = 'warehouse';
        p._colour = warehouseColour(p.id);
        siteFeats.push(f);
      } else {
        p.role = 'demand';
        p._colour = p.warehouse ? warehouseColour(p.warehouse) : '#d0d0d0';
        (f.geometry?.type === 'Point' ? siteFeats : covFeats).push(f);
      }
    } else if (p.layer === 'zone') {
      const z = zoneInfo.get(p.id) || {};
      p.parcels = z.parcels; p.district = z.district;
      p.workload_hours = (z.workload_seconds || 0) / 3600;
      p._norm = (z.workload_seconds || 0) / maxWork;
      p.compactness = z.compactness; // moment of inertia, A²/(2πJ), as the report gives it
      planFeats.push(f);
    } else if (p.layer === 'route') {
      p._colour = colourOf(p.vehicle);
      planFeats.push(f);
    } else if (p.layer === 'stop') {
      p._colour = colourOf(p.vehicle);
      planFeats.push(f);
    } else if (p.layer === 'depot' || p.layer === 'site' || p.layer === 'boundary') {
      if (p.layer !== 'boundary') planFeats.push(f);
    } else if (p.cell !== undefined) {
      covFeats.push(f);
    } else {
      siteFeats.push(f);
    }
  }
  estimateArrivals(planFeats, routeInfo);
  const maxDemand = Math.max(1, ...covFeats.map((f) => f.properties.demand || 0));
  for (const f of covFeats) f.properties._norm = (f.properties.demand || 0) / maxDemand;
  // A new urban or rural run replaces the plan layers; coverage, sites
  // and allocation draw over the plan they were computed from.
  if (plan.kind === 'urban' || plan.kind === 'rural') {
    clearKeyFeature();
    setSource('plan', { type: 'FeatureCollection', features: planFeats });
    setSource('cov', EMPTY);
    setSource('sites', EMPTY);
    state.planLayers = { planFeats };
  } else {
    // Runs on uploaded parcels have nothing to do with the last plan.
    if ($('input[name=source]:checked').value === 'upload') setSource('plan', EMPTY);
    setSource('cov', { type: 'FeatureCollection', features: covFeats });
    setSource('sites', { type: 'FeatureCollection', features: siteFeats });
  }
  const count = (l) => planFeats.filter((f) => f.properties.layer === l).length;
  const mapEl = $('#map');
  if (plan.kind === 'urban' || plan.kind === 'rural') {
    mapEl.dataset.zones = count('zone');
    mapEl.dataset.routes = count('route');
    mapEl.dataset.stops = count('stop');
  }
  mapEl.dataset.cells = covFeats.length;
  mapEl.dataset.sites = siteFeats.length;
  mapEl.dataset.plan = plan.id || '';
  mapEl.dataset.kind = plan.kind;

  $('#rural-filters').hidden = plan.kind !== 'rural';
  if (plan.kind === 'rural') {
    const routes = planFeats.filter((f) => f.properties.layer === 'route');
    const fill = (id, values, label) => {
      const sel = $('#' + id);
      const keep = sel.value;
      sel.length = 1;
      for (const v of values) sel.add(new Option(label(v), String(v)));
      sel.value = values.map(String).includes(keep) ? keep : '';
    };
    fill('day', [...new Set(routes.map((f) => f.properties.day))].sort((a, b) => a - b), (d) => `day ${d}`);
    const types = new Map();
    for (const f of routes) {
      const e = f.properties.echelon;
      if (!types.has(e)) types.set(e, new Set());
      types.get(e).add(f.properties.type);
    }
    fill('echelon', [...types.keys()].sort((a, b) => a - b), (e) => `${e}: ${[...types.get(e)].join(', ').replaceAll('_', ' ')}`);
    applyRuralFilters();
  } else {
    map.setFilter('route-line', routeFilter([]));
    map.setFilter('route-cold', routeFilter([], true));
    map.setFilter('stop', ['==', ['get', 'layer'], 'stop']);
  }
  fitTo(fc);
  renderRouteList(planFeats, plan.kind === 'urban' || plan.kind === 'rural');
  renderSummary(plan);
  renderCompare(report);
  renderShares(report);
  renderLegend(plan, vehicles, warehouses);
  for (const id of ['export-geojson', 'export-csv', 'export-png']) $('#' + id).disabled = false;
  writeHash();
  await mapIdle();
  mapEl.dataset.ready = 'true';
}

// mapIdle resolves once the map has drawn the data just set (the GeoJSON
// is tiled in a worker), or after 10 s.
function mapIdle() {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, 10000);
    map.once('idle', () => { clearTimeout(t); resolve(); });
    map.triggerRepaint();
  });
}

// featuresFromReport draws a plan from its report when no map came with
// it (a job whose result names the plan): an urban plan's routes, stops
// and centres, as render.WriteGeoJSON lays them out. Zone outlines are
// only in the map.
function featuresFromReport(kind, r) {
  const features = [];
  if (kind !== 'urban') return { type: 'FeatureCollection', features };
  const depots = new Map();
  for (const rt of r.routes || []) {
    const path = rt.path || [];
    if (path.length < 2) continue;
    const stops = [];
    let k = 0;
    for (const p of path.slice(1, -1)) {
      if (k < (rt.parcels || []).length && (p[0] !== path[0][0] || p[1] !== path[0][1])) stops.push([rt.parcels[k++], p]);
    }
    features.push({ type: 'Feature', geometry: { type: 'LineString', coordinates: path }, properties: {
      layer: 'route', vehicle: rt.vehicle, group: rt.zone, km: rt.km, stops: stops.length, type: rt.type, district: rt.district, hours: rt.hours, cost_yuan: rt.cost_yuan } });
    stops.forEach(([id, p], i) => features.push({ type: 'Feature', geometry: { type: 'Point', coordinates: p }, properties: { layer: 'stop', id, vehicle: rt.vehicle, sequence: i + 1 } }));
    if (!depots.has(rt.depot)) depots.set(rt.depot, path[0]);
  }
  for (const [id, p] of depots) features.push({ type: 'Feature', geometry: { type: 'Point', coordinates: p }, properties: { layer: 'depot', id } });
  return { type: 'FeatureCollection', features };
}

// estimateArrivals gives urban stops, whose report has no clock, an
// estimated arrival: the route's hours spread along its path by distance
// from an 08:00 start (labelled "est."). Rural stops carry their own.
function estimateArrivals(feats, routeInfo) {
  const routes = new Map(feats.filter((f) => f.properties.layer === 'route').map((f) => [f.properties.vehicle, f]));
  const byVehicle = new Map();
  for (const f of feats) if (f.properties.layer === 'stop' && !f.properties.arrival_clock) {
    if (!byVehicle.has(f.properties.vehicle)) byVehicle.set(f.properties.vehicle, []);
    byVehicle.get(f.properties.vehicle).push(f);
  }
  for (const [v, stops] of byVehicle) {
    const r = routes.get(v);
    const hours = routeInfo.get(v)?.hours ?? r?.properties.hours;
    if (!r || !hours) continue;
    const path = r.geometry.coordinates;
    const cum = [0];
    for (let i = 1; i < path.length; i++) cum.push(cum[i - 1] + km(path[i - 1], path[i]));
    const total = cum[cum.length - 1] || 1;
    stops.sort((a, b) => a.properties.sequence - b.properties.sequence);
    let i = 0;
    for (const s of stops) {
      const [x, y] = s.geometry.coordinates;
      while (i < path.length && (path[i][0] !== x || path[i][1] !== y)) i++;
      const at = 8 * 3600 + hours * 3600 * (i < path.length ? cum[i] : total) / total;
      s.properties._eta = 'est. ' + clock(at);
    }
  }
}

function km(a, b) {
  const k = Math.cos(a[1] * Math.PI / 180);
  return Math.hypot((b[0] - a[0]) * k, b[1] - a[1]) * 111.2;
}

function fitTo(fc) {
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  const visit = (c) => {
    if (typeof c[0] === 'number') {
      minX = Math.min(minX, c[0]); maxX = Math.max(maxX, c[0]); minY = Math.min(minY, c[1]); maxY = Math.max(maxY, c[1]);
    } else for (const x of c) visit(x);
  };
  for (const f of fc.features || []) if (f.geometry) visit(f.geometry.coordinates);
  if (minX < Infinity) map.fitBounds([[minX, minY], [maxX, maxY]], { padding: 40, animate: false, maxZoom: 14 });
}

// renderRouteList lists the routes with their figures, so that they are
// reachable without a mouse; Show zooms the map to one.
function renderRouteList(feats, replace) {
  if (!replace) return;
  const routes = feats.filter((f) => f.properties.layer === 'route');
  const body = $('#route-list tbody');
  body.innerHTML = '';
  $('#route-list summary').textContent = `Routes (${routes.length})`;
  for (const f of routes.slice(0, 500)) {
    const p = f.properties;
    const tr = document.createElement('tr');
    tr.innerHTML = `<td>${esc(p.vehicle)}${p.day !== undefined ? ' · day ' + p.day : ''}</td><td>${fmt(p.km, 1)}</td><td>${fmt(p.hours ?? (p.end - p.start) / 3600, 2)}</td>` +
      `<td>${p.cost_yuan !== undefined ? fmt(p.cost_yuan, 0) : '–'}</td><td>${p.stops}</td>`;
    const td = document.createElement('td');
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = 'Show';
    b.setAttribute('aria-label', 'Show route ' + p.vehicle + ' on the map');
    b.addEventListener('click', () => fitTo({ features: [f] }));
    td.append(b);
    tr.append(td);
    body.append(tr);
  }
}

function renderSummary(plan) {
  const r = plan.report || {};
  let s;
  if (plan.kind === 'urban') {
    s = `${r.parcels} parcels · ${r.zoning?.zones?.length ?? 0} zones (max/min workload ${fmt(r.zoning?.max_min_within_district, 2)} within districts) · ` +
      `pooled ${fmt(r.pooled?.vehicle_km, 0)} vehicle-km, ${r.pooled?.vehicles} vehicles, ¥${fmt(r.pooled?.cost_yuan, 0)} · ` +
      `separate ${fmt(r.separate?.vehicle_km, 0)} vehicle-km, ${r.separate?.vehicles} vehicles, ¥${fmt(r.separate?.cost_yuan, 0)} · ` +
      `saving ${fmt(r.vehicle_km_saving_percent, 1)} % · cost rule ${r.cost_rule}`;
  } else if (plan.kind === 'rural') {
    const routes = (plan.fc?.features || []).filter((f) => f.properties.layer === 'route');
    s = `${routes.length} routes over ${new Set(routes.map((f) => f.properties.day)).size} days, ` +
      `${fmt(routes.reduce((a, f) => a + (f.properties.km || 0), 0), 0)} km` +
      (r.served_share !== undefined ? ` · served ${fmt(100 * r.served_share, 1)} %` : '');
  } else {
    const keys = Object.entries(r).filter(([, v]) => typeof v === 'number').slice(0, 8);
    s = `${plan.kind}: ` + keys.map(([k, v]) => `${k.replaceAll('_', ' ')} ${fmt(v, Number.isInteger(v) ? 0 : 3)}`).join(' · ');
  }
  $('#summary').textContent = s;
}

function renderCompare(r) {
  const table = $('#compare-table');
  const rows = r.districts || [];
  table.tHead.innerHTML = rows.length ? '<tr><th scope="col" rowspan="2">District</th><th scope="colgroup" colspan="2">Vehicle-km</th><th scope="colgroup" colspan="2">Vehicles</th><th scope="colgroup" colspan="2">Cost ¥</th></tr>' +
    '<tr>' + '<th scope="col">pool</th><th scope="col"><abbr title="separate">sep.</abbr></th>'.repeat(3) + '</tr>' : '';
  table.tBodies[0].innerHTML = rows.map((d) => `<tr><th scope="row">${districtLabel(d.district)}</th>` +
    `<td>${fmt(d.pooled.vehicle_km, 1)}</td><td>${fmt(d.separate.vehicle_km, 1)}</td><td>${d.pooled.vehicles}</td><td>${d.separate.vehicles}</td>` +
    `<td>${fmt(d.pooled.cost_yuan, 0)}</td><td>${fmt(d.separate.cost_yuan, 0)}</td></tr>`).join('') +
    (rows.length ? `<tr><th scope="row">All</th><td>${fmt(r.pooled.vehicle_km, 1)}</td><td>${fmt(r.separate.vehicle_km, 1)}</td><td>${r.pooled.vehicles}</td><td>${r.separate.vehicles}</td><td>${fmt(r.pooled.cost_yuan, 0)}</td><td>${fmt(r.separate.cost_yuan, 0)}</td></tr>` : '');
  table.dataset.rows = rows.length;
  $('#compare-chart').innerHTML = rows.length ? barChart(rows.map((d) => ({ label: d.district + ' ' + (DISTRICT_ZH[d.district] || ''), a: d.pooled.vehicle_km, b: d.separate.vehicle_km })),
    'pooled vehicle-km', 'separate vehicle-km', 'Vehicle-km by district, pooled against separate') : '';
}

function renderShares(r) {
  const cs = r.carriers || [];
  const el = $('#cost-shares');
  el.dataset.carriers = cs.length;
  el.innerHTML = cs.length ? barChart(cs.map((c) => ({ label: c.id, a: c.allocated_cost, b: c.standalone_cost })),
    'share of pooled cost ¥', 'stand-alone cost ¥', 'Each carrier\'s share of the pooled cost against its stand-alone cost') +
    `<p class="hint">Rule: ${esc(r.cost_rule)}${r.individually_rational ? ' · every carrier pays less than alone' : ''}</p>` : '';
}

// The main-urban districts' Chinese names, for labels (the plans use
// pinyin ids).
const DISTRICT_ZH = { yuzhong: '渝中', dadukou: '大渡口', jiangbei: '江北', shapingba: '沙坪坝', jiulongpo: '九龙坡',
  nanan: '南岸', beibei: '北碚', yubei: '渝北', banan: '巴南' };

function districtLabel(id) {
  return esc(id) + (DISTRICT_ZH[id] ? ` <span lang="zh">${DISTRICT_ZH[id]}</span>` : '');
}

// barChart draws paired horizontal bars (a over b) as SVG.
function barChart(rows, aName, bName, title) {
  const W = 400, rowH = 26, left = 110, top = 36;
  const max = Math.max(1, ...rows.flatMap((r) => [r.a || 0, r.b || 0]));
  const x = (v) => left + (W - left - 90) * (v || 0) / max;
  const H = top + rows.length * rowH + 4;
  let s = `<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(title)}"><title>${esc(title)}</title>`;
  s += `<rect x="${left}" y="4" width="10" height="8" fill="${OKABE[0]}"/><text x="${left + 14}" y="12">${esc(aName)}</text>`;
  s += `<rect x="${left}" y="18" width="10" height="8" fill="${OKABE[1]}"/><text x="${left + 14}" y="26">${esc(bName)}</text>`;
  rows.forEach((r, i) => {
    const y = top + i * rowH;
    s += `<text x="${left - 4}" y="${y + 14}" text-anchor="end">${esc(r.label)}</text>`;
    s += `<rect x="${left}" y="${y + 2}" width="${x(r.a) - left}" height="10" fill="${OKABE[0]}"><title>${esc(aName)}: ${fmt(r.a, 1)}</title></rect>`;
    s += `<rect x="${left}" y="${y + 13}" width="${x(r.b) - left}" height="10" fill="${OKABE[1]}"><title>${esc(bName)}: ${fmt(r.b, 1)}</title></rect>`;
    s += `<text x="${Math.max(x(r.a), x(r.b)) + 3}" y="${y + 16}">${fmt(r.a, 0)} / ${fmt(r.b, 0)}</text>`;
  });
  return s + '</svg>';
}

function renderLegend(plan, vehicles, warehouses) {
  let s = '';
  if (plan.kind === 'urban' || plan.kind === 'rural') {
    if (plan.kind === 'urban') s += `<div>Zone workload</div><span class="ramp" style="background:linear-gradient(90deg,${VIRIDIS.join(',')})"></span>`;
    s += `<div>${vehicles.size} vehicles (Okabe–Ito colours)</div><div><i style="background:#000"></i>centre</div>`;
    if (plan.kind === 'rural') s += '<div>dashed: cold chain</div><div><i style="background:#D55E00"></i>county hub</div><div><i style="background:#009E73"></i>township station</div><div><i style="background:#0072B2"></i>station with cold room</div><div><i style="background:#999"></i>village</div>';
  }
  if (plan.kind === 'coverage') s += `<div>Demand per H3 cell</div><span class="ramp" style="background:linear-gradient(90deg,${VIRIDIS.join(',')})"></span><div><i style="background:#D55E00"></i>uncovered outline</div>`;
  if (plan.kind === 'sites') s += '<div><i style="background:#D55E00"></i>chosen site</div><div><i style="background:#0072B2"></i>existing point</div>';
  if (plan.kind === 'allocation') s += '<div>Demand by serving warehouse</div>' + [...warehouses].map(([w, c]) => `<div><i style="background:${c}"></i>${esc(w)}</div>`).join('');
  $('#legend').innerHTML = s;
}

let facilitiesLoaded = false;
async function loadFacilities() {
  if (facilitiesLoaded) return;
  facilitiesLoaded = true;
  try {
    const feats = [];
    for (const kind of ['distribution_centre', 'locker', 'express_store', 'cloud_warehouse']) {
      const { doc } = await api(`/v1/facilities?kind=${kind}&format=geojson`);
      for (const f of doc.features || []) { f.properties._colour = KIND_COLOURS[f.properties.kind] || '#666'; feats.push(f); }
    }
    setSource('fac', { type: 'FeatureCollection', features: feats });
  } catch (e) {
    facilitiesLoaded = false;
    $('#run-status').textContent = 'Facilities: ' + e.message;
  }
}

// ---------------------------------------------------------------- exports

function download(name, blob) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10000);
}

function exportName(ext) {
  return `lastmile-${state.plan?.kind || 'map'}${state.plan?.id ? '-' + state.plan.id : ''}.${ext}`;
}

function exportGeoJSON() {
  const fc = { ...(state.plan?.fc || EMPTY) };
  fc.features = (fc.features || []).map((f) => ({ ...f, properties: Object.fromEntries(Object.entries(f.properties || {}).filter(([k]) => !k.startsWith('_'))) }));
  download(exportName('geojson'), new Blob([JSON.stringify(fc)], { type: 'application/geo+json' }));
}

function exportCSV() {
  const feats = (state.plan?.fc?.features || []);
  const routes = feats.filter((f) => f.properties.layer === 'route');
  let rows;
  if (routes.length) {
    const info = new Map((state.plan.report?.routes || []).map((r) => [r.vehicle, r]));
    rows = [['vehicle', 'type', 'group', 'district', 'day', 'echelon', 'cold_chain', 'km', 'hours', 'cost_yuan', 'stops']];
    for (const f of routes) {
      const p = f.properties, r = info.get(p.vehicle) || {};
      rows.push([p.vehicle, p.type, p.group, p.district ?? r.district, p.day, p.echelon, p.cold_chain, p.km, p.hours ?? r.hours, p.cost_yuan ?? r.cost_yuan, p.stops]);
    }
  } else {
    const keys = [...new Set(feats.flatMap((f) => Object.keys(f.properties || {}).filter((k) => !k.startsWith('_'))))];
    rows = [['lon', 'lat', ...keys]];
    for (const f of feats) {
      const c = f.geometry?.type === 'Point' ? f.geometry.coordinates : ['', ''];
      rows.push([c[0], c[1], ...keys.map((k) => f.properties[k])]);
    }
  }
  const cell = (v) => v === undefined || v === null ? '' : /[",\n]/.test(String(v)) ? '"' + String(v).replaceAll('"', '""') + '"' : String(v);
  download(exportName('csv'), new Blob([rows.map((r) => r.map(cell).join(',')).join('\n') + '\n'], { type: 'text/csv' }));
}

function exportPNG() {
  map.once('render', () => {
    map.getCanvas().toBlob((b) => b && download(exportName('png'), b), 'image/png');
  });
  map.triggerRepaint();
}

// ---------------------------------------------------------------- uploads

// GCJ-02 → WGS-84 by iterating the published forward offset (error well
// under a metre in China).
function gcjOffset(lon, lat) {
  const a = 6378245.0, ee = 0.00669342162296594323;
  const tl = (x, y) => -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x)) +
    (20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2 / 3 +
    (20 * Math.sin(y * Math.PI) + 40 * Math.sin(y / 3 * Math.PI)) * 2 / 3 +
    (160 * Math.sin(y / 12 * Math.PI) + 320 * Math.sin(y * Math.PI / 30)) * 2 / 3;
  const tn = (x, y) => 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x)) +
    (20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2 / 3 +
    (20 * Math.sin(x * Math.PI) + 40 * Math.sin(x / 3 * Math.PI)) * 2 / 3 +
    (150 * Math.sin(x / 12 * Math.PI) + 300 * Math.sin(x / 30 * Math.PI)) * 2 / 3;
  let dLat = tl(lon - 105, lat - 35), dLon = tn(lon - 105, lat - 35);
  const rad = lat / 180 * Math.PI;
  let m = Math.sin(rad);
  m = 1 - ee * m * m;
  const sm = Math.sqrt(m);
  dLat = dLat * 180 / ((a * (1 - ee)) / (m * sm) * Math.PI);
  dLon = dLon * 180 / (a / sm * Math.cos(rad) * Math.PI);
  return [dLon, dLat];
}

// gcjFromBD09 undoes Baidu's BD-09 offset, which lies on top of GCJ-02
// (the closed form, within about a metre; geo.GCJ02FromBD09 refines it).
function gcjFromBD09([lon, lat]) {
  const k = Math.PI * 3000 / 180, x = lon - 0.0065, y = lat - 0.006;
  const z = Math.sqrt(x * x + y * y) - 0.00002 * Math.sin(y * k);
  const t = Math.atan2(y, x) - 0.000003 * Math.cos(x * k);
  return [z * Math.cos(t), z * Math.sin(t)];
}

function toWGS84(pt) {
  const datum = $('#datum').value;
  if (datum === 'wgs84') return pt;
  if (datum === 'bd09') pt = gcjFromBD09(pt);
  let [x, y] = pt;
  for (let i = 0; i < 5; i++) {
    const [dx, dy] = gcjOffset(x, y);
    x = pt[0] - dx; y = pt[1] - dy;
  }
  return [x, y];
}

async function readPoints(file) {
  const text = await file.text();
  const out = [];
  if (/^\s*\{/.test(text)) {
    const fc = JSON.parse(text);
    (fc.features || []).forEach((f, i) => {
      if (f.geometry?.type !== 'Point') return;
      const p = f.properties || {};
      out.push({ id: String(p.id ?? 'p' + (i + 1)), location: toWGS84(f.geometry.coordinates.slice(0, 2)), weight: Number(p.weight ?? p.parcels ?? 1), kind: p.kind });
    });
    return out;
  }
  const lines = text.split(/\r?\n/).filter((l) => l.trim());
  const head = lines[0].split(',').map((s) => s.trim().toLowerCase());
  const hasHead = head.includes('lon') || head.includes('lng') || head.includes('longitude');
  const col = (names, def) => { const i = head.findIndex((h) => names.includes(h)); return hasHead ? i : def; };
  const ci = { id: col(['id'], -1), lon: col(['lon', 'lng', 'longitude'], 0), lat: col(['lat', 'latitude'], 1), w: col(['weight', 'parcels', 'volume'], 2), kind: col(['kind'], -1) };
  lines.slice(hasHead ? 1 : 0).forEach((l, i) => {
    const c = l.split(',').map((s) => s.trim());
    const lon = Number(c[ci.lon]), lat = Number(c[ci.lat]);
    if (!Number.isFinite(lon) || !Number.isFinite(lat)) return;
    out.push({ id: ci.id >= 0 ? c[ci.id] : 'p' + (i + 1), location: toWGS84([lon, lat]), weight: ci.w >= 0 && c[ci.w] ? Number(c[ci.w]) : 1, kind: ci.kind >= 0 ? c[ci.kind] : undefined });
  });
  return out;
}

async function onUpload() {
  const msg = [];
  try {
    const pf = $('#up-parcels').files[0], ff = $('#up-facilities').files[0];
    state.uploads.parcels = pf ? (await readPoints(pf)).map((p) => ({ location: p.location, weight: p.weight })) : null;
    state.uploads.facilities = ff ? await readPoints(ff) : null;
    if (state.uploads.parcels) msg.push(`${state.uploads.parcels.length} parcels`);
    if (state.uploads.facilities) msg.push(`${state.uploads.facilities.length} facilities`);
    const pts = [...(state.uploads.parcels || []).map((p) => ({ type: 'Feature', geometry: { type: 'Point', coordinates: p.location }, properties: { role: 'demand', weight: p.weight } })),
      ...(state.uploads.facilities || []).map((p) => ({ type: 'Feature', geometry: { type: 'Point', coordinates: p.location }, properties: { role: 'existing', id: p.id } }))];
    setSource('sites', { type: 'FeatureCollection', features: pts });
    if (pts.length) fitTo({ features: pts });
    $('#upload-status').textContent = msg.length ? 'Read ' + msg.join(' and ') + ` (${{ gcj02: 'converted from GCJ-02', bd09: 'converted from BD-09' }[$('#datum').value] || 'WGS-84'}). Coverage, sites and allocation use them.` : '';
  } catch (e) {
    $('#upload-status').textContent = 'Could not read the file: ' + e.message;
  }
}

// ---------------------------------------------------------------- courier

async function loadCourier() {
  const id = state.me?.role === 'courier' ? state.me.courier_id : ($('#courier-id').value.trim() || 'c1');
  state.courier.id = id;
  try {
    const resp = await api(`/v1/couriers/${encodeURIComponent(id)}/route`);
    const prev = state.courier.route;
    state.courier.previousOrder = prev ? prev.stops.filter((s) => s.status === 'pending').map((s) => s.id) : [];
    state.courier.route = resp.doc;
    state.courier.etag = resp.headers.get('ETag') || '';
    renderCourier();
  } catch (e) {
    state.courier.route = null;
    $('#courier-route').innerHTML = '';
    $('#courier-meta').textContent = e.status === 404 ? `No route for ${id} yet: a planner dispatches one.` : e.message;
    setSource('courier', EMPTY);
  }
}

function renderCourier() {
  const r = state.courier.route;
  const pending = r.stops.filter((s) => s.status === 'pending').map((s) => s.id);
  // A stop moved when its place among the stops still pending changed,
  // not when the stops before it were done.
  const prevPos = new Map(state.courier.previousOrder.filter((id) => pending.includes(id)).map((id, i) => [id, i]));
  $('#courier-meta').textContent = `Courier ${r.courier_id} · route version ${r.version} · ${r.stops.length} stops · ` +
    `${(r.distance_meters / 1000).toFixed(1)} km, ${(r.duration_seconds / 3600).toFixed(1)} h remaining`;
  $('#courier-meta').dataset.version = r.version;
  const ol = $('#courier-route');
  ol.dataset.version = r.version;
  ol.innerHTML = '';
  r.stops.forEach((s, i) => {
    const li = document.createElement('li');
    li.className = s.status;
    li.dataset.stop = s.id;
    li.dataset.status = s.status;
    let moved = '';
    const was = prevPos.get(s.id), now = pending.indexOf(s.id);
    if (was !== undefined && now >= 0 && was !== now) moved = `<span class="moved">re-planned: ${now < was ? 'earlier' : 'later'} (${was + 1} → ${now + 1})</span>`;
    li.innerHTML = `<b>${esc(s.id)}</b> ${esc(s.type)} · arrive ${clock(s.arrival)} · <span>${esc(s.status.replace('_', ' '))}</span>${moved}`;
    if (s.status === 'pending' || s.status === 'in_progress') {
      for (const [type, label] of [['delivered', 'Delivered'], ['failed', 'Failed']]) {
        const b = document.createElement('button');
        b.type = 'button';
        b.textContent = label;
        b.setAttribute('data-testid', `mark-${type}-${i}`);
        b.setAttribute('aria-label', `${label}: stop ${s.id}`);
        b.addEventListener('click', () => markStop(s.id, type));
        li.append(b);
      }
    }
    ol.append(li);
  });
  const fc = { type: 'FeatureCollection', features: [] };
  const line = [];
  const start = r.vehicle?.start;
  if (Array.isArray(start)) line.push(start);
  r.stops.forEach((s, i) => {
    line.push(s.location);
    fc.features.push({ type: 'Feature', geometry: { type: 'Point', coordinates: s.location }, properties: { id: s.id, sequence: i, status: s.status, arrival: s.arrival } });
  });
  if (line.length >= 2) fc.features.push({ type: 'Feature', geometry: { type: 'LineString', coordinates: line }, properties: { courier_id: r.courier_id } });
  setSource('courier', fc);
  fitTo(fc);
}

async function markStop(stopId, type) {
  const id = state.courier.id;
  const body = { type, stop_id: stopId };
  if (type === 'failed') body.reason = 'marked failed in the web app';
  try {
    await api(`/v1/couriers/${encodeURIComponent(id)}/events`, { method: 'POST', body, headers: state.courier.etag ? { 'If-Match': state.courier.etag } : {} });
    $('#courier-status').textContent = `Stop ${stopId} ${type}; the remaining stops were re-planned.`;
  } catch (e) {
    $('#courier-status').textContent = e.status === 412 ? 'The route changed meanwhile; reloaded it, try again.' : `Could not mark ${stopId}: ${e.message}`;
  }
  await loadCourier();
}

async function dispatchDemo() {
  const depot = [106.5516, 29.5630];
  const jobs = [];
  const spots = [[106.5772, 29.5576], [106.5701, 29.5612], [106.5652, 29.5534], [106.5811, 29.5633], [106.5589, 29.5581],
    [106.5487, 29.5702], [106.5423, 29.5555], [106.5378, 29.5649], [106.5725, 29.5491], [106.5863, 29.5542]];
  spots.forEach((p, i) => jobs.push({ id: `p${i + 1}`, location: p, delivery: [1], service: 120 }));
  const veh = (id) => ({ id, start: depot, end: depot, capacity: [10], shift: [28800, 64800] });
  try {
    const { doc } = await api('/v1/dispatch', { method: 'POST', body: { vehicles: [veh('c1'), veh('c2')], jobs, options: { time_limit_ms: 500, iterations: 200 } } });
    $('#dispatch-status').textContent = `Dispatched plan ${doc.plan_id || ''}: couriers c1 and c2 have routes.`;
    $('#dispatch-status').dataset.done = 'true';
  } catch (e) {
    $('#dispatch-status').textContent = 'Dispatch failed: ' + e.message;
  }
}

// ---------------------------------------------------------------- operator

// loadOperator shows the queue over every key's jobs, from the API: the
// summary (counts by state, oldest waiting job per kind, newest failures)
// and the newest jobs of all keys, then health.
async function loadOperator() {
  const health = [];
  for (const path of ['/healthz', '/readyz']) {
    try { const { doc } = await api(path); health.push([path, doc.status]); } catch (e) { health.push([path, `${e.status} ${e.message}`]); }
  }
  $('#health').innerHTML = health.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('');
  const stats = [], jobs = $('#jobs-table').tBodies[0], failures = $('#failures-table').tBodies[0];
  try {
    const [{ doc: sum }, { doc: page }] = await Promise.all([api('/v1/jobs/summary'), api('/v1/jobs?all=true&limit=50')]);
    for (const [st, n] of Object.entries(sum.counts)) stats.push([st, n]);
    for (const [label, rows] of [['waiting', sum.queued], ['running', sum.running]]) {
      for (const k of rows) stats.push([`${label} ${k.kind}`, `${k.count} · oldest ${age(k.oldest_age_seconds)} (${k.oldest_id})`]);
    }
    jobs.innerHTML = page.jobs.map((j) => `<tr data-job="${esc(j.id)}" data-status="${esc(j.status)}"><td>${jobID(j.id)}</td><td>${esc(j.kind)}</td>` +
      `<td>${esc(j.owner)}</td><td>${esc(j.status)}</td><td>${esc(shortTime(j.updated_at))}</td></tr>`).join('') ||
      '<tr><td colspan="5">No jobs yet.</td></tr>';
    failures.innerHTML = sum.recent_failures.map((f) => `<tr data-job="${esc(f.id)}"><td>${jobID(f.id)}</td><td>${esc(f.kind)}</td>` +
      `<td>${esc(f.error)}</td><td>${esc(shortTime(f.failed_at))}</td></tr>`).join('') ||
      '<tr><td colspan="4">No failed jobs.</td></tr>';
  } catch (e) {
    stats.push(['queue', e.status === 403 ? 'an operator key reads the queue' : e.message]);
    jobs.innerHTML = failures.innerHTML = '';
  }
  $('#queue-stats').innerHTML = stats.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('');
  $('#operator-queue').dataset.loaded = 'true';
  $('#operator-queue').dataset.jobs = String(jobs.querySelectorAll('tr[data-job]').length);
}

function age(sec) {
  if (!(sec >= 0)) return '?';
  if (sec < 90) return `${sec.toFixed(0)} s`;
  if (sec < 5400) return `${(sec / 60).toFixed(0)} min`;
  return `${(sec / 3600).toFixed(1)} h`;
}

// jobID shows a job id's first characters; the whole is its title.
function jobID(id) {
  return `<span title="${esc(id)}">${esc(id.length > 13 ? id.slice(0, 12) + '…' : id)}</span>`;
}

// shortTime is a time of day, with the date when it is not today.
function shortTime(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const today = d.toDateString() === new Date().toDateString();
  return d.toLocaleString('en-GB', today ? { timeStyle: 'medium' } : { dateStyle: 'short', timeStyle: 'short' });
}

// ---------------------------------------------------------------- views and sign-in

function showView(v) {
  state.view = v;
  for (const s of $$('.view')) s.hidden = s.id !== 'view-' + v;
  for (const b of $$('#tabs button')) b.setAttribute('aria-current', b.dataset.view === v ? 'page' : 'false');
  if (v === 'courier') loadCourier();
  if (v === 'operator') loadOperator();
  if (map) writeHash();
}

async function signIn(key) {
  state.key = key;
  try {
    const { doc } = await api('/v1/whoami');
    state.me = doc;
    sessionStorage.setItem('lastmile.key', key);
  } catch (e) {
    state.key = '';
    sessionStorage.removeItem('lastmile.key');
    $('#login-error').textContent = e.status === 401 ? 'That key is not known to this server.' : e.message;
    return false;
  }
  $('#login').hidden = true;
  $('#login-error').textContent = '';
  $('#tabs').hidden = false;
  $('#signout').hidden = false;
  $('#who').textContent = `${state.me.role}${state.me.courier_id ? ' ' + state.me.courier_id : ''}`;
  const allowed = state.me.role === 'courier' ? ['courier'] : state.me.role === 'planner' ? ['planner', 'courier'] : ['planner', 'courier', 'operator'];
  for (const b of $$('#tabs button')) b.hidden = !allowed.includes(b.dataset.view);
  $('#courier-pick').hidden = state.me.role === 'courier';
  const want = readHash().get('view');
  showView(allowed.includes(want) ? want : allowed[0]);
  document.body.dataset.signedIn = state.me.role;
  if (map) applyLayers();
  return true;
}

function signOut() {
  sessionStorage.removeItem('lastmile.key');
  state.key = '';
  location.hash = '';
  location.reload();
}

// ---------------------------------------------------------------- helpers

function esc(v) {
  return String(v ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

function fmt(v, digits) {
  return typeof v === 'number' && Number.isFinite(v) ? v.toLocaleString('en-GB', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '–';
}

function clock(sec) {
  if (typeof sec !== 'number') return '?';
  const h = Math.floor(sec / 3600), m = Math.floor((sec % 3600) / 60);
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
}

// ---------------------------------------------------------------- start

async function main() {
  const hash = applyHash();
  await initMap(hash.get('map'));
  await addBaseMap();
  addPlanLayers();
  initKeyboard();
  applyLayers();
  $('#map').dataset.loaded = 'true';

  $('#login').addEventListener('submit', async (e) => {
    e.preventDefault();
    if (await signIn($('#key').value.trim())) rerunFromLink(hash);
  });
  $('#signout').addEventListener('click', signOut);
  for (const b of $$('#tabs button')) b.addEventListener('click', () => showView(b.dataset.view));
  for (const b of $$('[data-run]')) b.addEventListener('click', () => run(b.dataset.run));
  $('#cancel').addEventListener('click', cancelRun);
  for (const c of $$('[data-layer]')) c.addEventListener('change', () => { applyLayers(); writeHash(); });
  for (const id of ['day', 'echelon', 'cold']) $('#' + id).addEventListener('change', applyRuralFilters);
  for (const r of $$('input[name=source]')) r.addEventListener('change', () => {
    const up = $('input[name=source]:checked').value === 'upload';
    $('#upload-opts').hidden = !up;
  });
  for (const id of ['up-parcels', 'up-facilities', 'datum']) $('#' + id).addEventListener('change', onUpload);
  $('#export-geojson').addEventListener('click', exportGeoJSON);
  $('#export-csv').addEventListener('click', exportCSV);
  $('#export-png').addEventListener('click', exportPNG);
  $('#dispatch-demo').addEventListener('click', dispatchDemo);
  $('#courier-load').addEventListener('click', loadCourier);
  $('#operator-refresh').addEventListener('click', loadOperator);
  for (const id of ['seed', 'parcels', 'carriers', 'iterations', 'timelimit', 'counties', 'radius']) $('#' + id).addEventListener('change', writeHash);

  // Tests and scripts read what the map holds.
  window.lastmile = {
    map,
    async mapCounts() {
      const data = await map.getSource('plan').getData();
      const out = { zones: 0, routes: 0, stops: 0, depots: 0 };
      for (const f of data.features || []) {
        const l = f.properties.layer;
        if (l === 'zone') out.zones++; else if (l === 'route') out.routes++; else if (l === 'stop') out.stops++; else if (l === 'depot') out.depots++;
      }
      return out;
    },
    // drawPlan draws a FeatureCollection as a plan of the kind (the
    // benchmarks' synthetic days).
    drawPlan(fc, kind = 'urban') { return showPlan({ kind, fc, report: {} }); },
    // toWGS84 converts a point in the chosen upload datum.
    toWGS84,
    rendered(layer) { return map.getLayer(layer) ? map.queryRenderedFeatures({ layers: [layer] }).length : 0; },
    visibility(layer) { return map.getLayoutProperty(layer, 'visibility') || 'visible'; },
    // filteredRoutes counts the plan's routes that pass the rural filters.
    filteredRoutes() {
      const day = $('#day').value, ech = $('#echelon').value, cold = $('#cold').value;
      return (state.planLayers?.planFeats || []).filter((f) => f.properties.layer === 'route' &&
        (day === '' || f.properties.day === Number(day)) && (ech === '' || f.properties.echelon === Number(ech)) &&
        (cold === '' || f.properties.cold_chain === (cold === 'true'))).length;
    },
  };

  if (state.key && await signIn(state.key)) rerunFromLink(hash);
  else $('#key').focus();
}

// rerunFromLink reproduces the plan a link names: the form holds its
// parameters, and runs with iterations are deterministic.
function rerunFromLink(hash) {
  const kind = hash.get('run');
  if ((kind === 'urban' || kind === 'rural') && state.me.role !== 'courier' && state.view === 'planner') run(kind);
}

main().catch((e) => {
  $('#run-status').textContent = 'The workspace could not start: ' + e.message;
  console.error(e);
});
