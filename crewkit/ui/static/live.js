// crewkit ui: follows a running run or batch over server-sent events. Text from the journal is only
// ever put into the page with textContent; the tree fragment comes escaped from the server.
(function () {
  "use strict";
  const body = document.body;
  if (body.dataset.live !== "1") return;

  if (body.dataset.run) {
    const run = encodeURIComponent(body.dataset.run);
    const source = new EventSource(`/runs/${run}/events?after=${body.dataset.after || 0}`);
    const liveText = document.getElementById("live-text");
    let writing = null;
    let refreshing = null;
    const refreshTree = () => {
      if (refreshing) return;
      refreshing = setTimeout(async () => {
        refreshing = null;
        const reply = await fetch(`/runs/${run}/tree`, { credentials: "same-origin" });
        if (!reply.ok) return;
        const holder = document.createElement("div");
        holder.innerHTML = await reply.text();
        for (const id of ["summary", "tree"]) {
          const fresh = holder.querySelector(`#${id}`);
          const shown = document.getElementById(id);
          if (fresh && shown) shown.replaceWith(fresh);
        }
      }, 250);
    };
    source.addEventListener("entry", (event) => {
      const entry = JSON.parse(event.data);
      if (entry.kind === "delta") {
        if (writing !== entry.span) { writing = entry.span; liveText.textContent = ""; }
        liveText.parentElement.hidden = false;
        liveText.textContent += entry.data.text || "";
        return;
      }
      if (entry.kind === "model" && entry.span === writing) { writing = null; }
      refreshTree();
    });
    source.addEventListener("end", () => {
      source.close();
      setTimeout(() => window.location.reload(), 300);
    });
  }

  if (body.dataset.batch) {
    const batch = encodeURIComponent(body.dataset.batch);
    const source = new EventSource(`/batches/${batch}/events`);
    const show = (id, text) => { const el = document.getElementById(id); if (el) el.textContent = text; };
    source.addEventListener("progress", (event) => {
      const p = JSON.parse(event.data);
      show("b-done", p.done); show("b-failed", p.failed); show("b-active", p.active);
      show("b-tokens", p.tokens.toLocaleString("en"));
      show("b-rate", p.per_minute === null ? "—" : `${p.per_minute.toFixed(1)} runs/min`);
      show("b-eta", p.eta === null ? "—" : `${p.eta} s`);
      if (p.total) {
        const done = document.getElementById("bar-done"), failed = document.getElementById("bar-failed");
        if (done) done.setAttribute("width", (1000 * p.done / p.total).toFixed(1));
        if (failed) {
          failed.setAttribute("x", (1000 * p.done / p.total).toFixed(1));
          failed.setAttribute("width", (1000 * p.failed / p.total).toFixed(1));
        }
      }
    });
    source.addEventListener("end", () => { source.close(); setTimeout(() => window.location.reload(), 300); });
  }
})();
