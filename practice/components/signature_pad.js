// The signature pad's browser side (see signature_pad.py). Evaluated by rx.call_script when a pad
// mounts; defines window.practiceSignaturePad once, then sets up the pad whose id is PAD_ID.
// Strokes are kept per pad id as points in 0..1 of the pad, so a resize (phone rotation) or a
// remount redraws the same drawing at the new size.
(function (padId) {
  if (!window.practiceSignaturePad) {
    const pads = {};           // pad id -> {strokes: [[[x, y], ...], ...]}
    const MAX_POINTS = 4000;   // bounds what one signature can send to the server
    const ink = "#111827";

    const stateOf = (id) => (pads[id] = pads[id] || { strokes: [] });
    const canvasOf = (id) => document.getElementById(id + "-canvas");
    const countPoints = (s) => s.strokes.reduce((n, stroke) => n + stroke.length, 0);

    const redraw = (id) => {
      const canvas = canvasOf(id);
      if (!canvas) return;
      const rect = canvas.getBoundingClientRect();
      const ratio = window.devicePixelRatio || 1;
      const w = Math.max(1, Math.round(rect.width * ratio));
      const h = Math.max(1, Math.round(rect.height * ratio));
      if (canvas.width !== w || canvas.height !== h) {
        canvas.width = w;
        canvas.height = h;
      }
      const ctx = canvas.getContext("2d");
      ctx.clearRect(0, 0, w, h);
      // The signing line: a guide only, never part of the strokes.
      ctx.strokeStyle = "#c7cbd1";
      ctx.lineWidth = Math.max(1, ratio);
      ctx.beginPath();
      ctx.moveTo(w * 0.06, h * 0.78);
      ctx.lineTo(w * 0.94, h * 0.78);
      ctx.stroke();
      ctx.strokeStyle = ink;
      ctx.fillStyle = ink;
      ctx.lineCap = "round";
      ctx.lineJoin = "round";
      ctx.lineWidth = Math.max(2.5, rect.width / 110) * ratio;
      for (const stroke of stateOf(id).strokes) {
        if (stroke.length === 1) {
          ctx.beginPath();
          ctx.arc(stroke[0][0] * w, stroke[0][1] * h, ctx.lineWidth / 2, 0, 2 * Math.PI);
          ctx.fill();
          continue;
        }
        ctx.beginPath();
        stroke.forEach(([x, y], i) => (i ? ctx.lineTo(x * w, y * h) : ctx.moveTo(x * w, y * h)));
        ctx.stroke();
      }
      const empty = stateOf(id).strokes.length === 0;
      canvas.dataset.empty = empty ? "1" : "0";
      const hint = document.getElementById(id + "-hint");
      if (hint) hint.style.visibility = empty ? "visible" : "hidden";
    };

    const pointOf = (canvas, e) => {
      const rect = canvas.getBoundingClientRect();
      const clamp = (v) => Math.min(1, Math.max(0, v));
      const round = (v) => Math.round(v * 10000) / 10000;
      return [round(clamp((e.clientX - rect.left) / rect.width)),
              round(clamp((e.clientY - rect.top) / rect.height))];
    };

    const attach = (id) => {
      const canvas = canvasOf(id);
      if (!canvas || canvas.dataset.ready === "1") return;
      let drawing = null;
      canvas.addEventListener("pointerdown", (e) => {
        if (e.pointerType === "mouse" && e.button !== 0) return;
        const state = stateOf(id);
        if (countPoints(state) >= MAX_POINTS) return;
        e.preventDefault();
        canvas.setPointerCapture(e.pointerId);
        drawing = [pointOf(canvas, e)];
        state.strokes.push(drawing);
        redraw(id);
      });
      canvas.addEventListener("pointermove", (e) => {
        if (!drawing) return;
        e.preventDefault();
        const [x, y] = pointOf(canvas, e);
        const [lx, ly] = drawing[drawing.length - 1];
        // Skip points closer than a hair to the last one: same look, a fraction of the data.
        if (Math.abs(x - lx) + Math.abs(y - ly) < 0.003) return;
        if (countPoints(stateOf(id)) >= MAX_POINTS) return;
        drawing.push([x, y]);
        redraw(id);
      });
      const stop = () => { drawing = null; };
      canvas.addEventListener("pointerup", stop);
      canvas.addEventListener("pointercancel", stop);
      new ResizeObserver(() => redraw(id)).observe(canvas);
      const typed = document.getElementById(id + "-typed");
      const preview = document.getElementById(id + "-preview");
      if (typed && preview) {
        const show = () => { preview.textContent = typed.value; };
        typed.addEventListener("input", show);
        show();
      }
      canvas.dataset.ready = "1";
      redraw(id);
    };

    const modeOf = (id) => {
      const typePanel = document.getElementById(id + "-type-panel");
      return typePanel && typePanel.dataset.state === "active" ? "type" : "draw";
    };

    window.practiceSignaturePad = {
      setup: attach,
      clear: (id) => { stateOf(id).strokes = []; redraw(id); },
      // What the state receives: {"strokes": [...]} for a drawing, {"text": "..."} when typed.
      read: (id) => {
        if (modeOf(id) === "type") {
          const typed = document.getElementById(id + "-typed");
          return { text: typed ? typed.value : "" };
        }
        return { strokes: stateOf(id).strokes.filter((s) => s.length > 0) };
      },
    };
  }
  window.practiceSignaturePad.setup(padId);
})
