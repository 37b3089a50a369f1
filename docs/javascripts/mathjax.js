// MathJax for the pages (pymdownx.arithmatex writes \( \) and \[ \]) and for the notebook (Jupyter's $ and $$).
window.MathJax = {
  tex: {
    inlineMath: [["\\(", "\\)"], ["$", "$"]],
    displayMath: [["\\[", "\\]"], ["$$", "$$"]],
    processEscapes: true,
    processEnvironments: true,
  },
};
