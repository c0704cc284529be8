// Viewer request on the default (web) behaviour. The app's routes (/photos/<id>, /search, /shares, /s/<token>, ...)
// are extension-less paths with no object in the web bucket: answer them with index.html, whose router takes over.
// Files (a dot in the last segment) keep their path, so a missing asset is still a 404. /api/* and /media/* are
// other behaviours and never reach this function, so API errors pass through untouched.
function handler(event) {
  var request = event.request;
  var uri = request.uri;
  var last = uri.substring(uri.lastIndexOf('/') + 1);
  if (last.indexOf('.') === -1) {
    request.uri = '/index.html';
  }
  return request;
}
