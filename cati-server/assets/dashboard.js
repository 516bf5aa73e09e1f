// Supervisors' dashboard: live figures over server-sent events and an SVG map of the communes.
// Vanilla JavaScript, no dependency, no build step. The commune boundaries
// (/assets/bm_communes.geojson) come from IGN ADMIN EXPRESS COG 2018 via
// github.com/gregoiredavid/france-geojson (Licence Ouverte).
(function () {
  "use strict";
  const root = document.getElementById("dashboard");
  if (!root) return;
  const wave = root.dataset.wave;
  const SVG = "http://www.w3.org/2000/svg";
  // Five-step sequential scale (ColorBrewer "Blues"), by share of the target reached.
  const STEPS = [
    { min: 0, label: "moins de 20 %", color: "#eff3ff" },
    { min: 20, label: "20 à 40 %", color: "#bdd7e7" },
    { min: 40, label: "40 à 60 %", color: "#6baed6" },
    { min: 60, label: "60 à 80 %", color: "#3182bd" },
    { min: 80, label: "80 % et plus", color: "#08519c" },
  ];
  const NO_TARGET = "#d9d9d9";
  let latest = null;

  function showPercent(p) {
    return p === null || p === undefined ? "—" : p.toFixed(1).replace(".", ",") + "\u00a0%";
  }

  function colorOf(c) {
    if (!c || c.percent === null || c.percent === undefined) return NO_TARGET;
    let color = STEPS[0].color;
    for (const step of STEPS) if (c.percent >= step.min) color = step.color;
    return color;
  }

  function setField(row, field, text) {
    const cell = row.querySelector(`[data-field="${field}"]`);
    if (cell && cell.textContent !== String(text)) cell.textContent = text;
  }

  function render(data) {
    latest = data;
    for (const c of data.communes) {
      const row = document.getElementById("commune-" + c.code);
      if (!row) continue;
      for (const f of ["target", "achieved", "in_progress", "missing", "sample_left", "cases_used"]) {
        setField(row, f, c[f]);
      }
      setField(row, "percent", showPercent(c.percent));
      setField(row, "projection_text", c.projection_text);
      setField(row, "alert_message", c.alert_message);
      row.classList.toggle("warning", c.alert !== null);
    }
    const totals = document.getElementById("totals");
    if (totals) {
      for (const f of ["target", "achieved", "in_progress", "missing", "sample_left"]) {
        setField(totals, f, data.totals[f]);
      }
      setField(totals, "percent", showPercent(data.totals.percent));
    }
    const computed = document.getElementById("computed-at");
    if (computed) computed.textContent = data.computed_at;
    const summary = {
      percent: showPercent(data.totals.percent),
      achieved: data.totals.achieved,
      target: data.totals.target,
      completes: data.today.completes,
      interviewers: data.today.interviewers_last_hour,
      calls_last_hour: data.today.calls_last_hour,
      calls: data.today.calls,
    };
    for (const [field, value] of Object.entries(summary)) {
      const cell = document.querySelector(`[data-summary="${field}"]`);
      if (cell && cell.textContent !== String(value)) cell.textContent = value;
    }
    sortRows();
    const first = document.getElementById("first-completion");
    if (first) first.textContent = data.first_completion || "aucun";
    paintMap();
  }

  // ---- sorting -----------------------------------------------------------------------------
  // A click on a column header sorts the communes by it (again: the other way); the order is
  // kept as live figures arrive.
  let sortKey = null;
  let sortDescending = false;
  const ALERT_RANK = { unreachable: 2, short: 1 };

  function sortValue(c, key) {
    if (key === "name") return c.name;
    if (key === "alert") return ALERT_RANK[c.alert] || 0;
    const value = c[key];
    return value === null || value === undefined ? -Infinity : value;
  }

  function sortRows() {
    const body = document.querySelector("#quota-table tbody");
    if (!body || !latest || !sortKey) return;
    const byCode = new Map(latest.communes.map((c) => [c.code, c]));
    const rows = Array.from(body.rows);
    rows.sort((a, b) => {
      const x = sortValue(byCode.get(a.dataset.code) || {}, sortKey);
      const y = sortValue(byCode.get(b.dataset.code) || {}, sortKey);
      const order = typeof x === "string" ? x.localeCompare(y, "fr") : x - y;
      return sortDescending ? -order : order;
    });
    rows.forEach((row) => body.append(row));
  }

  for (const header of document.querySelectorAll("#quota-table th[data-sort]")) {
    header.tabIndex = 0;
    header.title = "Trier";
    const sortBy = () => {
      sortDescending = sortKey === header.dataset.sort ? !sortDescending : header.dataset.sort !== "name";
      sortKey = header.dataset.sort;
      document.querySelectorAll("#quota-table th[data-sort]").forEach((h) => h.removeAttribute("aria-sort"));
      header.setAttribute("aria-sort", sortDescending ? "descending" : "ascending");
      sortRows();
    };
    header.addEventListener("click", sortBy);
    header.addEventListener("keydown", (event) => { if (event.key === "Enter") sortBy(); });
  }

  // ---- map ---------------------------------------------------------------------------------
  const map = document.getElementById("commune-map");
  const shapes = new Map();

  function paintMap() {
    if (!latest) return;
    const byCode = new Map(latest.communes.map((c) => [c.code, c]));
    for (const [code, shape] of shapes) {
      const c = byCode.get(code);
      shape.path.setAttribute("fill", colorOf(c));
      shape.title.textContent = c
        ? `${c.name} : ${c.achieved} / ${c.target} (${showPercent(c.percent)}), ` +
          `${c.in_progress} en cours, échantillon restant ${c.sample_left}`
        : `${shape.name} : pas d'objectif`;
    }
  }

  function drawLegend() {
    const legend = document.getElementById("map-legend");
    if (!legend) return;
    const list = document.createElement("ul");
    list.className = "legend";
    for (const step of STEPS.concat([{ label: "sans objectif", color: NO_TARGET }])) {
      const item = document.createElement("li");
      const swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.background = step.color;
      item.append(swatch, step.label);
      list.append(item);
    }
    legend.append(list);
  }

  async function drawMap() {
    if (!map) return;
    const response = await fetch("/assets/bm_communes.geojson");
    if (!response.ok) return;
    const geo = await response.json();
    const rings = (g) => (g.type === "Polygon" ? g.coordinates : g.coordinates.flat());
    let minLon = Infinity, maxLon = -Infinity, minLat = Infinity, maxLat = -Infinity;
    for (const f of geo.features) {
      for (const ring of rings(f.geometry)) {
        for (const [lon, lat] of ring) {
          minLon = Math.min(minLon, lon); maxLon = Math.max(maxLon, lon);
          minLat = Math.min(minLat, lat); maxLat = Math.max(maxLat, lat);
        }
      }
    }
    // Equirectangular projection, longitudes shrunk by cos(mean latitude).
    const k = Math.cos(((minLat + maxLat) / 2) * Math.PI / 180);
    const size = 600, margin = 10;
    const scale = (size - 2 * margin) / Math.max((maxLon - minLon) * k, maxLat - minLat);
    const width = (maxLon - minLon) * k * scale + 2 * margin;
    const height = (maxLat - minLat) * scale + 2 * margin;
    map.setAttribute("viewBox", `0 0 ${width.toFixed(0)} ${height.toFixed(0)}`);
    map.setAttribute("width", width.toFixed(0));
    map.setAttribute("height", height.toFixed(0));
    const point = ([lon, lat]) =>
      `${((lon - minLon) * k * scale + margin).toFixed(1)},${((maxLat - lat) * scale + margin).toFixed(1)}`;
    for (const f of geo.features) {
      const path = document.createElementNS(SVG, "path");
      path.setAttribute("d", rings(f.geometry).map((r) => "M" + r.map(point).join("L") + "Z").join(""));
      path.setAttribute("stroke", "#333");
      path.setAttribute("stroke-width", "0.7");
      path.setAttribute("id", "map-" + f.properties.code);
      const title = document.createElementNS(SVG, "title");
      title.textContent = f.properties.nom;
      path.append(title);
      map.append(path);
      shapes.set(f.properties.code, { path, title, name: f.properties.nom });
    }
    // Names on the map, at the middle of each commune's largest ring, above every shape.
    for (const f of geo.features) {
      const ring = rings(f.geometry).reduce((a, b) => (b.length > a.length ? b : a));
      const lons = ring.map(([lon]) => lon), lats = ring.map(([, lat]) => lat);
      const middle = [(Math.min(...lons) + Math.max(...lons)) / 2, (Math.min(...lats) + Math.max(...lats)) / 2];
      const [x, y] = point(middle).split(",");
      const label = document.createElementNS(SVG, "text");
      label.setAttribute("x", x);
      label.setAttribute("y", y);
      label.setAttribute("class", "map-label");
      label.setAttribute("text-anchor", "middle");
      label.textContent = f.properties.nom.replace(/^Saint-/, "St-").replace(/^Sainte-/, "Ste-");
      map.append(label);
    }
    paintMap();
  }

  // ---- live updates ------------------------------------------------------------------------
  const status = document.getElementById("live-status");
  function connect() {
    const source = new EventSource("/tableau-de-bord/evenements?vague=" + encodeURIComponent(wave));
    source.addEventListener("open", () => {
      root.dataset.live = "on";
      if (status) status.textContent = "(mise à jour en direct)";
    });
    source.addEventListener("quotas", (event) => render(JSON.parse(event.data)));
    source.addEventListener("error", () => {
      root.dataset.live = "off";
      if (status) status.textContent = "(connexion perdue, nouvelle tentative…)";
    });
  }

  drawLegend();
  drawMap().catch(() => {});
  fetch("/tableau-de-bord/donnees?vague=" + encodeURIComponent(wave))
    .then((r) => (r.ok ? r.json() : null))
    .then((data) => { if (data && !latest) render(data); })
    .catch(() => {});
  connect();
})();
