// Starts Swagger UI on /api/docs (microblog/api/docs.py). The page's Content-Security-Policy
// allows no inline script, so the start is here and the document's address comes from
// the page as a data attribute.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.specUrl,
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl],
    layout: "BaseLayout",
    validatorUrl: null, // its default sends the document to a validator on the internet
  });
})();
