// The sign-in page (dashboard.sign_in): keep the link a signed-out visitor opened in a cookie for a
// quarter of an hour, so that after the sign-in round trip (which lands on the home page) the app
// goes on to it (pages/common.return_after_sign_in).  shell.js forgets it once it has served.
export default function ({ data }) {
  if (data && data.name) {
    document.cookie = `${data.name}=${encodeURIComponent(data.link || "")}; path=/; max-age=900; samesite=lax`;
  }
}
