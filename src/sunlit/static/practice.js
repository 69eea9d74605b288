/* Sunlit practice room: plays the host's own practice stream back, privately, and keeps trying
   while nothing is being streamed yet. No chat, no figures. */
(function () {
  "use strict";
  var video = document.getElementById("practice-player");
  var note = document.getElementById("practice-note");
  if (!video) return;
  var src = video.dataset.src;
  var hls = null;
  function say(key) { if (note) note.textContent = note.dataset[key] || ""; }
  function play() {
    if (window.Hls && window.Hls.isSupported()) {
      if (hls) hls.destroy();
      hls = new window.Hls({ liveSyncDurationCount: 2 });
      hls.on(window.Hls.Events.MANIFEST_PARSED, function () {
        say("playing");
        video.dataset.state = "playing";
        video.play().catch(function () {});
      });
      hls.on(window.Hls.Events.ERROR, function (_, data) {
        if (data.fatal) { say("waiting"); video.dataset.state = "waiting"; setTimeout(play, 3000); }
      });
      hls.loadSource(src);
      hls.attachMedia(video);
    } else if (video.canPlayType("application/vnd.apple.mpegurl")) {
      video.src = src;
    }
  }
  play();
})();
