// The descent form: start point, optimizer (menu and settings fields built from the API's
// optimizer table), learning rate and steps. It keeps the page state in step with what is
// typed, and turns the state into the spec of a run.
import { keySteps } from "./sliderkeys.js";
import { bindText, t, tableText } from "./i18n.js";
import { LR_MAX, LR_MIN, STEPS_FIELD, clampLr, clampSteps, methodFor } from "./state.js";
import {
  boundInput, fillSelect, optimizerRow, settingFields, settingNames, settingsFor, tables,
} from "./tables.js";
import { $ } from "./util.js";

export class DescentForm {
  /**
   * @param {object} app shared page context
   * @param {(start: number[]) => void} onStart called when a typed start point changes
   * @param {() => void} onSubmit called when the user asks for a run
   * @param {(what: string, live: boolean) => void} onChange called after the optimizer, a
   *   setting or the learning rate changed ("optimizer", "setting" or "lr"); `live` when it
   *   is being dragged (the slider, a setting's spinner), not typed and confirmed
   */
  constructor(app, onStart, onSubmit, onChange = () => {}) {
    this.app = app;
    this.onStart = onStart;
    this.onChange = onChange;
    fillSelect($("optimizer"), tables.optimizers, "optimizers");
    this.buildSettingFields();
    this.bind(onSubmit);
  }

  /** One number field per optimizer setting, shown only for the optimizers that have it. */
  buildSettingFields() {
    settingFields($("opt-settings"), (name) => name);
  }

  bind(onSubmit) {
    const { app } = this;
    const lr = $("lr");
    const lrSlider = $("lr-slider");
    // The slider is log10 of the rate: an arrow key multiplies the rate by 10^0.1 ≈ 1.26,
    // a page key by 10; a screen reader hears the rate itself, not its logarithm.
    keySteps(lrSlider, { arrow: () => 0.1, page: () => 1 });
    lrSlider.addEventListener("input", () => {
      const value = Number((10 ** Number(lrSlider.value)).toPrecision(2));
      app.state.lr = clampLr(value);
      lr.value = String(app.state.lr);
      lrSlider.setAttribute("aria-valuetext", String(app.state.lr));
      app.history.replace(app.state);
      this.onChange("lr", true);
    });
    // A typed rate is taken exactly as typed (the box keeps the text), or refused with a
    // reason -- never quietly clamped; the slider only follows it.
    lr.addEventListener("change", () => {
      const value = Number(lr.value);
      const valid = lr.value.trim() !== "" && Number.isFinite(value) && value >= LR_MIN && value <= LR_MAX;
      lr.toggleAttribute("aria-invalid", !valid);
      $("lr-help").classList.toggle("warn", !valid);
      const kept = app.state.lr;
      bindText($("lr-help"), () => (valid ? t("v2.lr_help") : t("v2.lr_invalid", { lr: kept })));
      if (!valid || value === app.state.lr) return;
      app.state.lr = value;
      this.showSlider(value);
      app.history.replace(app.state);
      this.onChange("lr", false);
    });
    boundInput($("steps"), STEPS_FIELD);
    $("steps").addEventListener("change", () => {
      const value = Number($("steps").value);
      if (Number.isFinite(value) && $("steps").value !== "") app.state.steps = clampSteps(value);
      $("steps").value = String(app.state.steps);
      app.history.replace(app.state);
    });
    $("optimizer").addEventListener("change", () => {
      app.state.optimizer = $("optimizer").value;
      this.showSettings();
      app.history.replace(app.state);
      this.onChange("optimizer", false);
    });
    for (const key of settingNames()) {
      // Kept as it is typed, so nothing else redrawing the form can lose it.
      $(key).addEventListener("input", (event) => {
        const value = Number($(key).value);
        if ($(key).value === "" || !Number.isFinite(value)) return;
        app.state.settings[key] = value;
        if (event.isTrusted) this.onChange("setting", true); // typed or stepped by the user
      });
      $(key).addEventListener("change", () => {
        $(key).dispatchEvent(new Event("input"));
        this.showSettings();
        app.history.replace(app.state);
        this.onChange("setting", false);
      });
    }
    for (const [i, id] of ["start-x", "start-y"].entries()) {
      $(id).addEventListener("change", () => {
        const value = Number($(id).value);
        if ($(id).value === "" || !Number.isFinite(value)) {
          $(id).value = String(app.state.start[i]);
          return;
        }
        const start = [...app.state.start];
        start[i] = value;
        this.onStart(start);
      });
    }
    $("descent-form").addEventListener("submit", (event) => {
      event.preventDefault();
      // Take what is typed even if the field has not fired "change" yet (Enter in a field).
      for (const id of ["lr", "steps", "start-x", "start-y", ...settingNames()]) {
        $(id).dispatchEvent(new Event("change"));
      }
      if ($("lr").hasAttribute("aria-invalid")) { // say why rather than run another rate
        $("lr").focus();
        return;
      }
      onSubmit();
    });
  }

  /** Show the chosen optimizer's settings (with their values), its rule and description. */
  showSettings() {
    const { state } = this.app;
    const values = settingsFor(state.optimizer, state.settings);
    for (const field of $("opt-settings").querySelectorAll("[data-optimizers]")) {
      field.hidden = !field.dataset.optimizers.split(" ").includes(state.optimizer);
    }
    for (const [key, value] of Object.entries(values)) $(key).value = String(value);
    const row = optimizerRow(state.optimizer);
    bindText($("optimizer-help"), () => (row
      ? t("v2.optimizer_help", { rule: tableText("optimizers", row, "rule"), description: tableText("optimizers", row, "description") })
      : ""));
  }

  /** Put the state into the controls. */
  sync() {
    const { state } = this.app;
    if (Number($("lr").value) !== state.lr) $("lr").value = String(state.lr);
    $("lr").min = String(LR_MIN);
    $("lr").max = String(LR_MAX);
    $("lr-slider").min = String(Math.log10(LR_MIN));
    $("lr-slider").max = String(Math.log10(LR_MAX));
    this.showSlider(state.lr);
    $("steps").value = String(state.steps);
    $("optimizer").value = state.optimizer;
    if (state.start) {
      $("start-x").value = String(state.start[0]);
      $("start-y").value = String(state.start[1]);
    }
    this.showSettings();
  }

  /** Make `lr` the learning rate (clamped to the page's range), in the state and the controls. */
  setRate(lr) {
    const { app } = this;
    app.state.lr = clampLr(lr);
    $("lr").value = String(app.state.lr);
    $("lr").removeAttribute("aria-invalid");
    this.showSlider(app.state.lr);
    app.history.replace(app.state);
    this.onChange("lr", false);
  }

  /** The slider at a rate, within its own (log) range; it never rewrites the box. */
  showSlider(lr) {
    const slider = $("lr-slider");
    slider.value = String(Math.min(Number(slider.max), Math.max(Number(slider.min), Math.log10(lr))));
    slider.setAttribute("aria-valuetext", String(lr));
  }

  /** Set one optimizer setting (a rate picked on the phase diagram sets the momentum too). */
  setSetting(name, value) {
    this.app.state.settings[name] = value;
    this.showSettings();
    this.app.history.replace(this.app.state);
    this.onChange("setting", false);
  }

  showStart(point) {
    $("start-x").value = String(point[0]);
    $("start-y").value = String(point[1]);
  }

  /** The run the form describes now. */
  spec() {
    const { state } = this.app;
    return {
      optimizer: state.optimizer, lr: state.lr, steps: state.steps,
      method: methodFor(state, "2d"), start: [...state.start],
      settings: settingsFor(state.optimizer, state.settings),
    };
  }
}
