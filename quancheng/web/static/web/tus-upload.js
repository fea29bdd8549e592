// A small tus 1.0.0 client for the "Upload a recording" page (no build step, no library).
// Creates the upload (POST), sends the file in parts (PATCH, each with its SHA-256 as
// Upload-Checksum where the browser can hash), shows progress, and resumes: the upload's
// URL is kept in localStorage under the file's name, size and date, so choosing the same
// file again (after a broken connection, a pause or a closed tab) goes on where it stopped.
(function () {
  "use strict";

  var CHUNK = 8 * 1024 * 1024;  // a form's data-chunk-size overrides it
  var RETRIES = [1000, 3000, 10000, 30000];

  function utf8Base64(text) {
    var bytes = new TextEncoder().encode(text);
    var binary = "";
    for (var i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
    return btoa(binary);
  }

  function encodeMetadata(meta) {
    return Object.keys(meta)
      .filter(function (key) { return meta[key] !== ""; })
      .map(function (key) { return key + " " + utf8Base64(meta[key]); })
      .join(",");
  }

  function humanBytes(n) {
    var units = ["B", "KiB", "MiB", "GiB", "TiB"];
    var i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return (i === 0 ? n : n.toFixed(1)) + " " + units[i];
  }

  // One HTTP request; resolves with {status, header(name), json()} (status 0: no answer).
  function send(method, url, headers, body, onProgress, setCurrent) {
    return new Promise(function (resolve) {
      var xhr = new XMLHttpRequest();
      xhr.open(method, url);
      Object.keys(headers).forEach(function (name) { xhr.setRequestHeader(name, headers[name]); });
      if (onProgress && xhr.upload) {
        xhr.upload.onprogress = function (event) { onProgress(event.loaded); };
      }
      function done() {
        resolve({
          status: xhr.status,
          header: function (name) { return xhr.getResponseHeader(name); },
          json: function () { try { return JSON.parse(xhr.responseText); } catch (e) { return {}; } },
        });
      }
      xhr.onload = done;
      xhr.onerror = done;
      xhr.onabort = done;
      if (setCurrent) setCurrent(xhr);
      xhr.send(body);
    });
  }

  async function checksum(blob) {
    if (!window.crypto || !window.crypto.subtle) return null;  // not a secure context
    var digest = await window.crypto.subtle.digest("SHA-256", await blob.arrayBuffer());
    var bytes = new Uint8Array(digest);
    var binary = "";
    for (var i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
    return "sha256 " + btoa(binary);
  }

  function sleep(ms) { return new Promise(function (r) { setTimeout(r, ms); }); }

  function Page(form) {
    this.form = form;
    this.endpoint = form.dataset.endpoint;
    this.csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
    this.progress = document.getElementById("upload-progress");
    this.status = document.getElementById("upload-status");
    this.error = document.getElementById("upload-error");
    this.result = document.getElementById("upload-result");
    this.start = document.getElementById("upload-start");
    this.pause = document.getElementById("upload-pause");
    this.messages = {};
    var template = document.getElementById("upload-messages");
    var self = this;
    template.content.querySelectorAll("[data-key]").forEach(function (el) {
      self.messages[el.dataset.key] = el.textContent;
    });
    this.current = null;
    this.paused = false;
  }

  Page.prototype.say = function (key, values) {
    var text = this.messages[key] || key;
    Object.keys(values || {}).forEach(function (name) { text = text.replace("{" + name + "}", values[name]); });
    this.status.textContent = text;
  };

  Page.prototype.fail = function (message) {
    this.error.textContent = (this.messages.failed || "") + " " + message;
    this.error.hidden = false;
    this.start.disabled = false;
    this.pause.hidden = true;
  };

  Page.prototype.headers = function (extra) {
    var headers = { "Tus-Resumable": "1.0.0", "X-CSRFToken": this.csrf, "Accept": "application/json" };
    Object.keys(extra || {}).forEach(function (k) { headers[k] = extra[k]; });
    return headers;
  };

  Page.prototype.time = function (name) {
    var value = this.form.elements[name].value;
    if (!value) return "";
    if (value.length === 16) value += ":00";  // browsers may leave out the seconds
    return value + this.form.dataset.utcOffset;
  };

  Page.prototype.metadata = function (file) {
    var officers = Array.prototype.filter
      .call(this.form.querySelectorAll("input[name=officers]"), function (box) { return box.checked; })
      .map(function (box) { return box.value; });
    return {
      filename: file.name,
      filetype: file.type || "",
      "case": this.form.dataset["case"],
      device: this.form.elements.device.value,
      officers: officers.join(","),
      started_at: this.time("started_at"),
      ended_at: this.time("ended_at"),
      scenario: this.form.elements.scenario.value,
      place: this.form.elements.place.value.trim(),
      session: this.form.elements.session.value.trim(),
    };
  };

  Page.prototype.percent = function (sent, total) {
    return Math.floor((sent * 100) / total) + " %";
  };

  Page.prototype.show = function (sent, total) {
    this.progress.hidden = false;
    this.progress.value = Math.floor((sent * 100) / total);
    this.say("sending", { sent: humanBytes(sent), total: humanBytes(total), percent: this.percent(sent, total) });
  };

  Page.prototype.errorOf = function (response) {
    var body = response.json();
    return body.detail || ("HTTP " + response.status);
  };

  // Where the server stands on a known upload: its offset, or null if it is gone.
  Page.prototype.offsetOf = async function (url) {
    var head = await send("HEAD", url, this.headers());
    if (head.status !== 200) return null;
    return { offset: parseInt(head.header("Upload-Offset"), 10), recording: head.header("Quancheng-Recording") };
  };

  Page.prototype.run = async function () {
    this.error.hidden = true;
    this.result.hidden = true;
    var file = this.form.elements.file.files[0];
    if (!file) { this.fail(this.messages["no-file"]); return; }
    var meta = this.metadata(file);
    if (!meta.officers) { this.fail(this.messages["no-officer"]); return; }
    this.start.disabled = true;
    this.pause.hidden = false;
    this.paused = false;
    var key = "quancheng-tus:" + meta["case"] + ":" + file.name + ":" + file.size + ":" + file.lastModified;
    var url = window.localStorage.getItem(key);
    var offset = 0;
    if (url) {
      var known = await this.offsetOf(url);
      if (known === null) {
        url = null;
      } else {
        offset = known.offset;
        this.say("resuming", { percent: this.percent(offset, file.size) });
        if (known.recording) return this.finish(key, file);
      }
    }
    if (!url) {
      this.say("creating");
      var created = await send("POST", this.endpoint, this.headers({
        "Upload-Length": String(file.size),
        "Upload-Metadata": encodeMetadata(meta),
      }));
      if (created.status !== 201) { this.fail(this.errorOf(created)); return; }
      url = created.header("Location");
      window.localStorage.setItem(key, url);
    }
    var failures = 0;
    var self = this;
    while (true) {
      if (this.paused) {
        this.say("paused", { percent: this.percent(offset, file.size) });
        this.start.disabled = false;
        this.pause.hidden = true;
        return;
      }
      var size = parseInt(this.form.dataset.chunkSize, 10) || CHUNK;
      var chunk = file.slice(offset, Math.min(offset + size, file.size));
      var headers = this.headers({
        "Upload-Offset": String(offset),
        "Content-Type": "application/offset+octet-stream",
      });
      var sum = await checksum(chunk);
      if (sum) headers["Upload-Checksum"] = sum;
      var base = offset;
      var response = await send("PATCH", url, headers, chunk,
        function (loaded) { self.show(base + loaded, file.size); },
        function (xhr) { self.current = xhr; });
      this.current = null;
      if (response.status === 204) {
        failures = 0;
        offset = parseInt(response.header("Upload-Offset"), 10);
        this.show(offset, file.size);
        if (response.header("Quancheng-Recording")) return this.finish(key, file);
        continue;
      }
      if (this.paused) continue;
      if (response.status === 0 || response.status === 409 || response.status === 423 || response.status >= 502) {
        // No answer, or the server has another offset: ask where it stands and go on.
        if (failures >= RETRIES.length) { this.fail(this.errorOf(response)); return; }
        this.say("retrying");
        await sleep(RETRIES[failures++]);
        var state = await this.offsetOf(url);
        if (state !== null) {
          offset = state.offset;
          if (state.recording) return this.finish(key, file);
        }
        continue;
      }
      if (response.status === 404 || response.status === 410) window.localStorage.removeItem(key);
      this.fail(this.errorOf(response));
      return;
    }
  };

  Page.prototype.finish = function (key, file) {
    window.localStorage.removeItem(key);
    this.progress.hidden = false;
    this.progress.value = 100;
    this.say("done", { total: humanBytes(file.size) });
    this.result.hidden = false;
    this.start.disabled = false;
    this.pause.hidden = true;
  };

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("upload-form");
    if (!form) return;
    var page = new Page(form);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      page.run().catch(function (err) { page.fail(String(err)); });
    });
    page.pause.addEventListener("click", function () {
      page.paused = true;
      if (page.current) page.current.abort();
    });
  });
})();
