// "Copy link" in one click: writes data.link to the clipboard, then tells Python (a toast
// confirms).  navigator.clipboard needs a secure context (https, or localhost); a team server on
// plain http gets the older execCommand copy instead.
async function copy(text) {
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch (error) {
      // fall through to the older way
    }
  }
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.position = "fixed";
  area.style.opacity = "0";
  document.body.appendChild(area);
  area.select();
  let done = false;
  try {
    done = document.execCommand("copy");
  } finally {
    area.remove();
  }
  return done;
}

export default function ({ parentElement, data, setTriggerValue }) {
  const button = parentElement.querySelector("button");
  button.dataset.link = data.link;
  button.onclick = async () => {
    const done = await copy(data.link);
    setTriggerValue("copied", done ? data.link : "");
  };
}
