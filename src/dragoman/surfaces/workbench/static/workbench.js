// Dragoman workbench editor: autosave with QA as you type, placeholder and tag chips that
// keystrokes cannot delete, Ctrl+Enter to confirm and move on, progress, deliver.
// Plain JavaScript, no build step; text from the server only ever goes into textContent.
(function () {
  "use strict";

  var bar = document.querySelector(".job-bar");
  if (!bar || bar.dataset.editable !== "true") return;

  var jobId = bar.dataset.job;
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var flash = document.getElementById("flash");
  var sections = Array.prototype.slice.call(document.querySelectorAll(".segment"));
  var SAVE_DELAY_MS = 500;
  var states = new Map();

  function say(message) {
    flash.textContent = message;
    clearTimeout(say.timer);
    say.timer = setTimeout(function () { flash.textContent = ""; }, 5000);
  }

  function placeholdersOf(section) {
    try { return JSON.parse(section.dataset.placeholders || "[]"); } catch (e) { return []; }
  }

  function makeChip(text) {
    var span = document.createElement("span");
    span.className = "chip";
    span.contentEditable = "false";
    span.dataset.ph = text;
    span.textContent = text;
    return span;
  }

  // The editor's text: text nodes as they are, a chip as its placeholder, a line break as
  // "\n" (Chromium's trailing <br>, there only to show the caret, is left out).
  function serialize(editor) {
    var out = "";
    (function walk(node) {
      node.childNodes.forEach(function (child) {
        if (child.nodeType === Node.TEXT_NODE) {
          out += child.data;
        } else if (child.nodeType === Node.ELEMENT_NODE) {
          if (child.classList.contains("chip")) {
            out += child.dataset.ph || "";
          } else if (child.tagName === "BR") {
            if (child !== editor.lastChild) out += "\n";
          } else if (child.tagName === "DIV" || child.tagName === "P") {
            if (out && out.charAt(out.length - 1) !== "\n") out += "\n";
            walk(child);
          } else {
            walk(child);
          }
        }
      });
    })(editor);
    return out;
  }

  // Fill the editor with `text`, each of the segment's placeholders as a chip.
  function render(editor, text, placeholders) {
    var sorted = placeholders.slice().sort(function (a, b) { return b.length - a.length; });
    editor.textContent = "";
    var rest = text;
    while (rest) {
      var at = -1;
      var found = null;
      sorted.forEach(function (ph) {
        var i = rest.indexOf(ph);
        if (i !== -1 && (at === -1 || i < at)) { at = i; found = ph; }
      });
      if (found === null) { editor.appendChild(document.createTextNode(rest)); break; }
      if (at > 0) editor.appendChild(document.createTextNode(rest.slice(0, at)));
      editor.appendChild(makeChip(found));
      rest = rest.slice(at + found.length);
    }
  }

  function chipCounts(editor) {
    var counts = new Map();
    editor.querySelectorAll(".chip").forEach(function (c) {
      counts.set(c.dataset.ph, (counts.get(c.dataset.ph) || 0) + 1);
    });
    return counts;
  }

  function lostChip(before, after) {
    var lost = null;
    before.forEach(function (n, ph) { if ((after.get(ph) || 0) < n && lost === null) lost = ph; });
    return lost;
  }

  function caretToEnd(editor) {
    var range = document.createRange();
    range.selectNodeContents(editor);
    range.collapse(false);
    var sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
  }

  // Whether an edit would remove a chip: its target ranges (or the selection it replaces)
  // cover one.
  function touchesChip(editor, event) {
    var ranges = event.getTargetRanges ? event.getTargetRanges() : [];
    var sel = window.getSelection();
    if (!ranges.length && sel.rangeCount && !sel.getRangeAt(0).collapsed) ranges = [sel.getRangeAt(0)];
    var chips = editor.querySelectorAll(".chip");
    for (var i = 0; i < ranges.length; i++) {
      if (ranges[i].collapsed) continue;
      var range = document.createRange();
      try {
        range.setStart(ranges[i].startContainer, ranges[i].startOffset);
        range.setEnd(ranges[i].endContainer, ranges[i].endOffset);
      } catch (e) { continue; }
      for (var j = 0; j < chips.length; j++) if (range.intersectsNode(chips[j])) return true;
    }
    return false;
  }

  function updateProgress() {
    var done = document.querySelectorAll(".segment.done").length;
    var progress = document.getElementById("progress");
    progress.value = done;
    document.getElementById("progress-text").textContent = done + " / " + sections.length;
  }

  function showQa(section, warnings) {
    var list = section.querySelector(".qa");
    list.textContent = "";
    warnings.forEach(function (w) {
      var li = document.createElement("li");
      li.className = "qa-" + String(w.code).replace(/[^a-z_]/g, "");
      li.textContent = w.message;
      list.appendChild(li);
    });
  }

  function segmentUrl(section) {
    return "/workbench/jobs/" + encodeURIComponent(jobId) + "/segments/" + section.dataset.segment;
  }

  // PUT the draft; the answer carries the segment's QA warnings.
  function put(section, force) {
    var st = states.get(section);
    var text = serialize(st.editor);
    if (text === st.saved && (!force || section.classList.contains("done"))) {
      return Promise.resolve(true);
    }
    st.label.textContent = "saving…";
    return fetch(segmentUrl(section), {
      method: "PUT",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify({ target: text })
    }).then(function (resp) {
      return resp.json().catch(function () { return {}; }).then(function (body) {
        if (resp.status === 401) { window.location.href = "/workbench/login"; return false; }
        if (!resp.ok) {
          st.label.textContent = "not saved: " + (body.error || ("HTTP " + resp.status));
          return false;
        }
        st.saved = text;
        showQa(section, body.qa || []);
        section.classList.add("done");
        updateProgress();
        st.label.textContent = serialize(st.editor) === text ? "saved" : "editing…";
        return true;
      });
    }).catch(function () {
      st.label.textContent = "not saved: the server cannot be reached";
      return false;
    });
  }

  // Saves of one segment run one after another, each sending the text of its moment.
  function save(section, force) {
    var st = states.get(section);
    clearTimeout(st.timer);
    st.timer = null;
    st.chain = st.chain.then(function () { return put(section, force); });
    return st.chain;
  }

  function changed(section) {
    var st = states.get(section);
    st.counts = chipCounts(st.editor);
    st.good = serialize(st.editor);
    st.label.textContent = "editing…";
    clearTimeout(st.timer);
    st.timer = setTimeout(function () { save(section, false); }, SAVE_DELAY_MS);
  }

  function replaceText(section, text) {
    var st = states.get(section);
    render(st.editor, text, st.placeholders);
    st.editor.focus();
    caretToEnd(st.editor);
    changed(section);
    save(section, false);
  }

  function insertChip(section, ph) {
    var st = states.get(section);
    var sel = window.getSelection();
    var range = null;
    if (sel.rangeCount && st.editor.contains(sel.getRangeAt(0).startContainer)) {
      range = sel.getRangeAt(0);
      range.collapse(false);  // insert beside the selection, never over it
    } else {
      range = document.createRange();
      range.selectNodeContents(st.editor);
      range.collapse(false);
    }
    var node = makeChip(ph);
    range.insertNode(node);
    range.setStartAfter(node);
    range.collapse(true);
    sel.removeAllRanges();
    sel.addRange(range);
    st.editor.focus();
    changed(section);
  }

  function focusSegment(index) {
    if (index < 0 || index >= sections.length) return;
    var editor = states.get(sections[index]).editor;
    editor.focus();
    caretToEnd(editor);
    sections[index].scrollIntoView({ block: "center" });
  }

  sections.forEach(function (section, index) {
    var editor = section.querySelector(".target");
    var text = serialize(editor);
    var st = {
      editor: editor,
      label: section.querySelector(".save-state"),
      placeholders: placeholdersOf(section),
      saved: text,
      good: text,
      counts: chipCounts(editor),
      timer: null,
      chain: Promise.resolve(true)
    };
    states.set(section, st);

    editor.addEventListener("beforeinput", function (event) {
      if (event.inputType === "insertParagraph") {
        event.preventDefault();
        document.execCommand("insertLineBreak");
        return;
      }
      if (event.inputType === "insertFromDrop" || event.inputType === "deleteByDrag") {
        event.preventDefault();
        return;
      }
      if (touchesChip(editor, event)) {
        event.preventDefault();
        say("Placeholders and tags cannot be deleted: Clear starts the segment over.");
      }
    });

    // A safety net for what beforeinput cannot see (undo, spellcheck replacements).
    editor.addEventListener("input", function () {
      var lost = lostChip(st.counts, chipCounts(editor));
      if (lost !== null) {
        render(editor, st.good, st.placeholders);
        caretToEnd(editor);
        say("Placeholders and tags cannot be deleted (" + lost + " was put back).");
        return;
      }
      changed(section);
    });

    editor.addEventListener("paste", function (event) {
      event.preventDefault();
      var data = event.clipboardData ? event.clipboardData.getData("text/plain") : "";
      if (data) document.execCommand("insertText", false, data);
    });
    editor.addEventListener("dragstart", function (event) { event.preventDefault(); });

    editor.addEventListener("keydown", function (event) {
      if ((event.ctrlKey || event.metaKey) && event.key === "Enter") {
        event.preventDefault();
        save(section, true);
        focusSegment(index + 1);
      } else if (event.altKey && event.key === "ArrowDown") {
        event.preventDefault();
        focusSegment(index + 1);
      } else if (event.altKey && event.key === "ArrowUp") {
        event.preventDefault();
        focusSegment(index - 1);
      }
    });

    editor.addEventListener("focus", function () {
      sections.forEach(function (s) { s.classList.toggle("current", s === section); });
    });
    editor.addEventListener("blur", function () {
      if (st.timer !== null) save(section, false);
    });

    section.querySelectorAll("button.insert").forEach(function (button) {
      // Keep the caret in the editor: the chip goes where the translator was typing.
      button.addEventListener("mousedown", function (event) { event.preventDefault(); });
      button.addEventListener("click", function () { insertChip(section, button.dataset.ph); });
    });
    var clear = section.querySelector("button.clear");
    if (clear) clear.addEventListener("click", function () { replaceText(section, ""); });
    var copy = section.querySelector("button.copy-source");
    if (copy) copy.addEventListener("click", function () { replaceText(section, section.dataset.source); });
    section.querySelectorAll("button.use-tm, button.use-machine").forEach(function (button) {
      button.addEventListener("click", function () { replaceText(section, button.dataset.text); });
    });
  });

  var form = document.getElementById("deliver-form");
  if (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = document.getElementById("deliver");
      button.disabled = true;
      say("Saving before delivery…");
      Promise.all(sections.map(function (s) { return save(s, false); })).then(function (results) {
        if (results.every(Boolean)) {
          form.submit();
        } else {
          button.disabled = false;
          say("Some segments could not be saved; the job was not delivered.");
        }
      });
    });
  }

  // Leaving the page: send what the timers still hold.
  window.addEventListener("pagehide", function () {
    sections.forEach(function (section) {
      var st = states.get(section);
      if (st.timer === null) return;
      clearTimeout(st.timer);
      fetch(segmentUrl(section), {
        method: "PUT",
        keepalive: true,
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
        body: JSON.stringify({ target: serialize(st.editor) })
      });
    });
  });
})();
