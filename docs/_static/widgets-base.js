// Loaded before the widget renderer on pages with saved widget state (conf.py: nb_ipywidgets_js).
//
// 1. The renderer's modules (require.js) and its fonts live under _static/, whatever the page's
//    folder: resolve module paths from here, not from the page.
require.config({ baseUrl: new URL(".", document.currentScript.src).href });

// 2. The renderer typesets widget labels with MathJax 2's MathJax.Hub.Queue; the site runs
//    MathJax 3, which replaces window.MathJax when it loads. Give every MathJax object a Hub
//    whose Queue(["Typeset", MathJax.Hub, element]) forwards to MathJax 3's typesetPromise.
(function () {
  const hub = {
    Queue: (...commands) => {
      const mathjax = window.MathJax;
      for (const command of commands) {
        if (Array.isArray(command) && command[0] === "Typeset" && mathjax.startup) {
          const element = command[2];
          mathjax.startup.promise.then(() => mathjax.typesetPromise(element ? [element] : undefined));
        }
      }
    },
  };
  const withHub = (value) => {
    if (value && typeof value === "object" && !value.Hub) {
      Object.defineProperty(value, "Hub", { value: hub, enumerable: false });
    }
    return value;
  };
  let current = withHub(window.MathJax);
  Object.defineProperty(window, "MathJax", {
    configurable: true,
    get: () => current,
    set: (value) => {
      current = withHub(value);
    },
  });
})();
