// Choropleth of rates per 1,000 residents, drawn with Leaflet on a plain background (no tiles, no network).
// Served as an ES module after /static/leaflet/leaflet.js (a classic script that defines window.L):
//   <div id="rates-map" class="app-map" role="region" aria-label="…">…</div>
//   <script type="application/json" id="rates-geojson">{FeatureCollection}</script>
// Each feature's properties carry the figures as the table shows them (name, code, count, rate, annualised,
// imd) and its colour band (0 = no rate, 1..5), worked out by the server so the map and the table agree.
// CSP-safe: no inline script, no eval, no style attributes; colours come from CSS classes in app.scss
// (.app-map__area--band-N). Keyboard and screen reader users have the same figures in the table.
//
// The hot spot map (intelligence/hotspots.html) uses the same drawing with
//   <div id="hotspots-map" …> and <script type="application/json" id="hotspots-geojson">
// where each feature's properties carry ``colour`` (its Gi* class fill, set by the server and written in the
// page's key and table) and ``lines`` (the tooltip's lines). The fill is an SVG presentation attribute set by
// Leaflet, not a style attribute, so the CSP still holds.

function tooltipFor(properties) {
  const box = document.createElement("div");
  box.className = "app-map__tooltip";
  const title = document.createElement("strong");
  title.textContent = properties.code ? `${properties.name} (${properties.code})` : properties.name;
  box.append(title);
  const lines = Array.isArray(properties.lines)
    ? properties.lines
    : [
        `Count: ${properties.count}`,
        `Per 1,000 residents in the period: ${properties.rate}`,
        `Per 1,000 residents a year: ${properties.annualised}`,
        properties.imd,
      ];
  for (const text of lines) {
    const line = document.createElement("span");
    line.className = "app-map__tooltip-line";
    line.textContent = text;
    box.append(line);
  }
  return box;
}

function drawRatesMap(container, collection) {
  const L = window.L;
  if (!L || !collection || !Array.isArray(collection.features) || collection.features.length === 0) {
    return;
  }
  container.replaceChildren(); // the "needs JavaScript" note
  container.classList.add("app-map--drawn");
  const map = L.map(container, {
    attributionControl: false, // attribution is written under the map
    zoomSnap: 0.25,
    scrollWheelZoom: false, // scrolling the page must not zoom the map
  });
  const layer = L.geoJSON(collection, {
    style(feature) {
      const colour = feature.properties.colour;
      if (typeof colour === "string" && /^#[0-9a-f]{6}$/i.test(colour)) {
        const key = String(feature.properties.gi || "none").replace(/[^a-z0-9-]/g, "");
        return {
          className: `app-map__area app-map__area--gi app-map__area--gi-${key}`,
          fillColor: colour,
          weight: 1,
          fillOpacity: 1,
        };
      }
      const band = Number(feature.properties.band) || 0;
      return {
        className: `app-map__area app-map__area--band-${band}`,
        weight: 1,
        fillOpacity: 1,
      };
    },
    onEachFeature(feature, area) {
      area.bindTooltip(tooltipFor(feature.properties), { sticky: true, direction: "top" });
      area.on("mouseover", () => {
        L.DomUtil.addClass(area.getElement(), "app-map__area--hover");
        area.bringToFront();
      });
      area.on("mouseout", () => L.DomUtil.removeClass(area.getElement(), "app-map__area--hover"));
    },
  }).addTo(map);
  map.fitBounds(layer.getBounds(), { padding: [8, 8] });
}

for (const name of ["rates", "hotspots"]) {
  const container = document.getElementById(`${name}-map`);
  const data = document.getElementById(`${name}-geojson`);
  if (container && data) {
    try {
      drawRatesMap(container, JSON.parse(data.textContent || "null"));
    } catch (error) {
      console.error(error);
    }
  }
}
