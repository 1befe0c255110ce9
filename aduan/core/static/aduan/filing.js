/* Progressive enhancements of the filing form and the page after it (templates/complaints/file.html,
 * submitted.html). Everything here is optional: without JavaScript the pages work the same, only
 * without live suggestions, the instant late-filing warning, "use my location", the copy button and
 * the file checks before sending (size, photos scaled down).
 * Translated texts come from data-* attributes written by the templates. */
(function () {
  "use strict";

  var form = document.getElementById("filing-form");
  if (form) {
    initSimilar(form);
    initLateWarning(form);
    initGeolocation(form);
    initUploads(form);
  }
  initCopy();

  /* Files are checked before they travel (the server checks again): a photo above RESIZE_ABOVE
   * bytes is scaled down to MAX_SIDE pixels and re-encoded as JPEG when the browser can, and a
   * file still over the limit is named and blocks sending. */
  function initUploads(form) {
    var RESIZE_ABOVE = 2 * 1024 * 1024;
    var MAX_SIDE = 2560;
    var input = form.querySelector("input[type=file][name=attachments]");
    var status = document.getElementById("attachments-status");
    var maxBytes = parseInt(form.dataset.maxBytes || "0", 10);
    if (!input || !status || !maxBytes || !window.DataTransfer || !window.Promise) return;
    var pending = null;

    input.addEventListener("change", function () {
      var files = Array.prototype.slice.call(input.files || []);
      input.setCustomValidity("");
      status.hidden = true;
      pending = Promise.all(files.map(shrink)).then(function (out) {
        var list = new DataTransfer();
        out.forEach(function (file) { list.items.add(file); });
        input.files = list.files;
        var big = out.filter(function (file) { return file.size > maxBytes; });
        var message = big.length
          ? form.dataset.msgTooBig.replace("%s", big.map(function (f) { return f.name; }).join(", "))
          : "";
        input.setCustomValidity(message);
        status.textContent = message;
        status.hidden = !message;
        pending = null;
      });
    });
    form.addEventListener("submit", function (event) {
      if (pending) {  // still resizing: send once it is done
        event.preventDefault();
        pending.then(function () { if (form.reportValidity()) form.requestSubmit(); });
      }
    });

    function shrink(file) {
      if (!/^image\/(jpeg|png|webp)$/.test(file.type) || file.size <= RESIZE_ABOVE || !window.createImageBitmap) {
        return Promise.resolve(file);
      }
      return createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bitmap) {
        var scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
        var canvas = document.createElement("canvas");
        canvas.width = Math.round(bitmap.width * scale);
        canvas.height = Math.round(bitmap.height * scale);
        var context = canvas.getContext("2d");
        context.fillStyle = "#fff"; // a transparent PNG gets a white background in JPEG
        context.fillRect(0, 0, canvas.width, canvas.height);
        context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
        return new Promise(function (resolve) {
          canvas.toBlob(function (blob) {
            if (!blob || blob.size >= file.size) return resolve(file);
            var name = file.name.replace(/\.[^.]+$/, "") + ".jpg";
            resolve(new File([blob], name, { type: "image/jpeg", lastModified: Date.now() }));
          }, "image/jpeg", 0.85);
        });
      }).catch(function () { return file; });
    }
  }

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

  /* "Gunakan lokasi saya": fills the latitude/longitude inputs and moves the map's pin (map.js). */
  function initGeolocation(form) {
    var controls = document.getElementById("geo-controls");
    var use = document.getElementById("geo-use");
    var clear = document.getElementById("geo-clear");
    var status = document.getElementById("geo-status");
    var lat = form.elements.namedItem("latitude");
    var lon = form.elements.namedItem("longitude");
    var map = document.getElementById("filing-map");
    if (!controls || !use || !lat || !lon) return;
    if (map) {
      map.addEventListener("map:moved", function () {
        status.textContent = form.dataset.msgLocated;
        clear.hidden = false;
      });
    }
    clear.addEventListener("click", function () {
      lat.value = "";
      lon.value = "";
      clear.hidden = true;
      status.textContent = form.dataset.msgGeoCleared;
      if (map) map.dispatchEvent(new CustomEvent("map:clear"));
    });
    controls.hidden = false;
    if (!navigator.geolocation) {
      use.hidden = true;
      return;
    }
    use.addEventListener("click", function () {
      status.textContent = form.dataset.msgLocating;
      navigator.geolocation.getCurrentPosition(
        function (pos) {
          lat.value = pos.coords.latitude.toFixed(6);
          lon.value = pos.coords.longitude.toFixed(6);
          status.textContent = form.dataset.msgLocated;
          clear.hidden = false;
          if (map) {
            map.dispatchEvent(
              new CustomEvent("map:set", { detail: { lat: pos.coords.latitude, lon: pos.coords.longitude } })
            );
          }
        },
        function () {
          status.textContent = form.dataset.msgGeoFailed;
        },
        { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
      );
    });
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
