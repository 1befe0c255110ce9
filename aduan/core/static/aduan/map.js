/* Maps (Leaflet, vendored under vendor/leaflet/): every element with data-map.
   Without JavaScript the page already shows the pins on a plain grid, the coordinates as text and
   a link to openstreetmap.org; this script replaces the grid with a Leaflet map:
   - data-tile-url: the tile server (ADUAN_MAP_TILE_URL); absent: no tiles, the grid stays behind;
   - data-lat / data-lon: one pin; data-draggable: it can be dragged (or placed by a click), and
     it writes to the inputs named by data-lat-input / data-lon-input (typing in them moves it),
     the text of data-coords-text and the OpenStreetMap link of data-osm-link;
   - data-points: the id of a JSON list of complaints, clustered on a pixel grid at each zoom and
     coloured by their worst lateness (on_time < due_soon < overdue). */
(function () {
  "use strict";
  var RANK = { on_time: 1, due_soon: 2, overdue: 3 };
  var CELL = 56; // px: points closer than this at the current zoom form one cluster

  function pinIcon(level, count) {
    return L.divIcon({
      className: "map-pin" + (level ? " level-" + level : "") + (count > 1 ? " map-cluster" : ""),
      html: count > 1 ? String(count) : "",
      iconSize: count > 1 ? [30, 30] : [18, 18]
    });
  }

  function popupFor(point) {
    var box = document.createElement("div");
    var link = document.createElement("a");
    link.href = point.url;
    link.textContent = point.ticket;
    var title = document.createElement("div");
    title.textContent = point.title;
    var late = document.createElement("div");
    late.className = "muted";
    late.textContent = point.lateness;
    box.append(link, title, late);
    return box;
  }

  function drawClusters(map, layer, points) {
    layer.clearLayers();
    var zoom = map.getZoom();
    var cells = {};
    points.forEach(function (p) {
      var px = map.project([p.lat, p.lon], zoom);
      var key = Math.floor(px.x / CELL) + ":" + Math.floor(px.y / CELL);
      (cells[key] = cells[key] || []).push(p);
    });
    Object.keys(cells).forEach(function (key) {
      var members = cells[key];
      var lat = 0, lon = 0, worst = "on_time";
      members.forEach(function (p) {
        lat += p.lat; lon += p.lon;
        if ((RANK[p.level] || 0) > (RANK[worst] || 0)) worst = p.level;
      });
      var marker = L.marker([lat / members.length, lon / members.length], {
        icon: pinIcon(worst, members.length),
        title: members.length > 1 ? members.length + "" : members[0].ticket,
        keyboard: true
      });
      if (members.length === 1) {
        marker.bindPopup(popupFor(members[0]));
      } else {
        marker.on("click", function () {
          map.fitBounds(L.latLngBounds(members.map(function (p) { return [p.lat, p.lon]; })), { padding: [40, 40], maxZoom: 18 });
        });
      }
      layer.addLayer(marker);
    });
  }

  function init(el) {
    if (el.dataset.mapReady || !window.L) return;
    el.dataset.mapReady = "1";
    var wrap = el.closest(".map-js-only"); // shown only when this script runs (the filing form)
    if (wrap) wrap.hidden = false;
    el.querySelectorAll(".map-pin").forEach(function (pin) { pin.remove(); });
    el.classList.add("map-live");
    var tileUrl = el.dataset.tileUrl;
    if (!tileUrl) el.classList.add("map-no-tiles");
    var center = (el.dataset.center || "-2.5,118,5").split(",").map(Number);
    var map = L.map(el, { scrollWheelZoom: false, zoomSnap: 1 });
    if (tileUrl) {
      L.tileLayer(tileUrl, { maxZoom: 19, subdomains: "abc", attribution: el.dataset.attribution || "" }).addTo(map);
    }

    if (el.dataset.points) {
      var source = document.getElementById(el.dataset.points);
      var points = source ? JSON.parse(source.textContent) : [];
      var layer = L.layerGroup().addTo(map);
      if (points.length) {
        map.fitBounds(L.latLngBounds(points.map(function (p) { return [p.lat, p.lon]; })), { padding: [30, 30], maxZoom: 16 });
      } else {
        map.setView([center[0], center[1]], center[2]);
      }
      drawClusters(map, layer, points);
      map.on("zoomend", function () { drawClusters(map, layer, points); });
      return;
    }

    var latInput = el.dataset.latInput ? document.getElementById(el.dataset.latInput) : null;
    var lonInput = el.dataset.lonInput ? document.getElementById(el.dataset.lonInput) : null;
    var text = el.dataset.coordsText ? document.getElementById(el.dataset.coordsText) : null;
    // a typed value may use a decimal comma, which the server accepts (aduan/complaints/geo.py)
    var lat = parseFloat((latInput && latInput.value ? latInput.value : el.dataset.lat || "").replace(",", "."));
    var lon = parseFloat((lonInput && lonInput.value ? lonInput.value : el.dataset.lon || "").replace(",", "."));
    var draggable = el.hasAttribute("data-draggable");
    var marker = null;

    function write(latlng) {
      var la = latlng.lat.toFixed(6), lo = L.Util.wrapNum(latlng.lng, [-180, 180], true).toFixed(6);
      if (latInput) latInput.value = la;
      if (lonInput) lonInput.value = lo;
      if (text) text.textContent = la + ", " + lo;
      var osm = el.dataset.osmLink ? document.getElementById(el.dataset.osmLink) : null;
      if (osm) osm.href = "https://www.openstreetmap.org/?mlat=" + la + "&mlon=" + lo + "#map=17/" + la + "/" + lo;
      el.dispatchEvent(new CustomEvent("map:moved", { bubbles: true, detail: { lat: la, lon: lo } }));
    }
    function place(latlng) {
      if (marker) {
        marker.setLatLng(latlng);
      } else {
        marker = L.marker(latlng, { icon: pinIcon("", 1), draggable: draggable, keyboard: true }).addTo(map);
        marker.on("dragend", function () { write(marker.getLatLng()); });
      }
    }

    if (!isNaN(lat) && !isNaN(lon)) {
      map.setView([lat, lon], 16);
      place([lat, lon]);
    } else {
      map.setView([center[0], center[1]], center[2]);
    }
    if (draggable) {
      map.on("click", function (event) { place(event.latlng); write(event.latlng); });
      [latInput, lonInput].forEach(function (input) {
        if (!input) return;
        input.addEventListener("change", function () {
          var la = parseFloat((latInput.value || "").replace(",", "."));
          var lo = parseFloat((lonInput.value || "").replace(",", "."));
          if (isNaN(la) || isNaN(lo) || Math.abs(la) > 90 || Math.abs(lo) > 180) return;
          place([la, lo]);
          map.panTo([la, lo]);
        });
      });
      el.addEventListener("map:set", function (event) {
        place([event.detail.lat, event.detail.lon]);
        map.setView([event.detail.lat, event.detail.lon], 16);
      });
      el.addEventListener("map:clear", function () {
        if (marker) { map.removeLayer(marker); marker = null; }
      });
    }
  }

  function initAll() {
    document.querySelectorAll("[data-map]").forEach(init);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", initAll);
  else initAll();
  // The staff complaint page swaps its body after an action (htmx): draw the new map.
  document.addEventListener("htmx:afterSettle", initAll);
})();
