/* Progressive enhancements of the filing form and the page after it (templates/complaints/file.html,
 * submitted.html). Everything here is optional: without JavaScript the pages work the same, only
 * without live suggestions, the instant late-filing warning, "use my location" and the copy button.
 * Translated texts come from data-* attributes written by the templates. */
(function () {
  "use strict";

  var form = document.getElementById("filing-form");
  if (form) {
    initSimilar(form);
    initLateWarning(form);
    initGeolocation(form);
  }
  initCopy();

  /* Similar open complaints, fetched when title and category change (debounced). */
  function initSimilar(form) {
    var box = document.getElementById("similar-live");
    var seen = document.getElementById("seen-similar");
    var title = form.elements.namedItem("title");
    var category = form.elements.namedItem("category");
    if (!box || !title || !category || !window.fetch) return;
    var timer = null;
    var last = "";
    function load() {
      var params = new URLSearchParams({
        pemda: form.dataset.pemda || "",
        category: category.value || "",
        title: title.value || "",
      });
      var query = params.toString();
      if (query === last) return;
      last = query;
      if (!category.value || title.value.trim().length < 4) {
        box.innerHTML = "";
        return;
      }
      fetch(form.dataset.similarUrl + "?" + query, { headers: { "X-Requested-With": "fetch" } })
        .then(function (r) { return r.ok ? r.text() : ""; })
        .then(function (html) {
          if (query !== last) return; // a newer request is on its way
          box.innerHTML = html;
          // The citizen has seen the suggestions: the server need not ask again on submit.
          if (html.trim() && seen) seen.value = "1";
        })
        .catch(function () { /* suggestions are a nicety */ });
    }
    function schedule() {
      clearTimeout(timer);
      timer = setTimeout(load, 500);
    }
    title.addEventListener("input", schedule);
    category.addEventListener("change", schedule);
  }

  /* UU 25/2009 Pasal 42: warn (never refuse) when the incident was more than 30 days ago. */
  function initLateWarning(form) {
    var input = form.elements.namedItem("incident_date");
    var warning = document.getElementById("incident-date-warning");
    if (!input || !warning || !input.dataset.lateBefore) return;
    function check() {
      // ISO dates (YYYY-MM-DD) compare correctly as strings.
      warning.hidden = !(input.value && input.value < input.dataset.lateBefore);
    }
    input.addEventListener("change", check);
    input.addEventListener("input", check);
  }

  /* "Gunakan lokasi saya": fills the hidden latitude/longitude inputs. */
  function initGeolocation(form) {
    var controls = document.getElementById("geo-controls");
    var use = document.getElementById("geo-use");
    var clear = document.getElementById("geo-clear");
    var status = document.getElementById("geo-status");
    var lat = form.elements.namedItem("latitude");
    var lon = form.elements.namedItem("longitude");
    if (!controls || !use || !lat || !lon || !navigator.geolocation) return;
    controls.hidden = false;
    var preview = document.getElementById("map-preview");
    if (lat.value && lon.value) showTile(parseFloat(lat.value), parseFloat(lon.value));

    use.addEventListener("click", function () {
      status.textContent = form.dataset.msgLocating;
      navigator.geolocation.getCurrentPosition(
        function (pos) {
          lat.value = pos.coords.latitude.toFixed(6);
          lon.value = pos.coords.longitude.toFixed(6);
          status.textContent = form.dataset.msgLocated;
          clear.hidden = false;
          showTile(pos.coords.latitude, pos.coords.longitude);
        },
        function () {
          status.textContent = form.dataset.msgGeoFailed;
        },
        { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
      );
    });
    clear.addEventListener("click", function () {
      lat.value = "";
      lon.value = "";
      clear.hidden = true;
      status.textContent = form.dataset.msgGeoCleared;
      if (preview) preview.hidden = true;
    });

    /* One map tile with a pin, when a tile URL is configured; hidden again if the tile fails. */
    function showTile(latitude, longitude) {
      if (!preview || !preview.dataset.tileUrl || isNaN(latitude) || isNaN(longitude)) return;
      var zoom = 16;
      var n = Math.pow(2, zoom);
      var xf = ((longitude + 180) / 360) * n;
      var rad = (latitude * Math.PI) / 180;
      var yf = ((1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2) * n;
      var x = Math.floor(xf);
      var y = Math.floor(yf);
      var img = new Image(256, 256);
      img.alt = "";
      img.onerror = function () { preview.hidden = true; };
      img.onload = function () { preview.hidden = false; };
      img.src = preview.dataset.tileUrl.replace("{z}", zoom).replace("{x}", x).replace("{y}", y).replace("{s}", "a");
      var pin = document.createElement("span");
      pin.className = "pin";
      pin.style.left = Math.round((xf - x) * 256) + "px";
      pin.style.top = Math.round((yf - y) * 256) + "px";
      preview.replaceChildren(img, pin);
    }
  }

  /* Copy button for the tracking link on the submitted page. */
  function initCopy() {
    var button = document.getElementById("copy-link");
    if (!button) return;
    var target = document.getElementById(button.dataset.copyTarget);
    var status = document.getElementById("copy-status");
    if (!target || !navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(target.value).then(function () {
        if (status) status.textContent = button.dataset.msgCopied;
      }, function () {
        target.select();
      });
    });
  }
})();
