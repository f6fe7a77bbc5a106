// What the background's notifiers share: a catalog message with an English fallback (the
// worker may run where `chrome.i18n` is missing, as in unit tests), and the browser's
// notification and toolbar-badge calls behind one small interface that tests can stand in
// for. Notifications carry plain text only: the API has no markup, so nothing a far end
// sends can become HTML here.

export function message(key: string, subs: string[], fallback: string): string {
  try {
    return chrome.i18n.getMessage(key, subs) || fallback;
  } catch {
    return fallback;
  }
}

/** Bidi controls and other format/control characters, which could reorder or hide text. */
const UNSAFE_TEXT_RE = /[\u0000-\u001F\u007F-\u009F\u061C\u200B-\u200F\u202A-\u202E\u2060-\u2069\uFEFF]/g;

/** Text from the host made fit for one line of a notification: no controls, bounded. */
export function plainLine(text: string, max = 120): string {
  const clean = text.replace(UNSAFE_TEXT_RE, "").replace(/\s+/g, " ").trim();
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

export interface NotificationShape {
  title: string;
  message: string;
  /** Button titles (Chromium only; Firefox notifications have none). */
  buttons?: string[];
}

/** The browser's notifications and toolbar badge, as the notifiers use them. */
export interface NotificationSurface {
  show(id: string, shape: NotificationShape): Promise<void>;
  clear(id: string): void;
  onButton(listener: (id: string, index: number) => void): void;
  onClick(listener: (id: string) => void): void;
  /** The toolbar badge's text; "" hides it. */
  badge(text: string): void;
}

/** The real surface: `chrome.notifications` and `chrome.action`, each feature-checked. */
export function browserSurface(): NotificationSurface {
  const notifications = chrome.notifications as typeof chrome.notifications | undefined;
  const action = chrome.action as typeof chrome.action | undefined;
  return {
    async show(id, shape) {
      if (!notifications) return;
      const options: chrome.notifications.NotificationCreateOptions = {
        type: "basic",
        iconUrl: chrome.runtime.getURL("icons/icon-128.png"),
        title: shape.title,
        message: shape.message,
        priority: 2,
        ...(shape.buttons ? { requireInteraction: true, buttons: shape.buttons.map((title) => ({ title })) } : {}),
      };
      await notifications.create(id, options);
    },
    clear(id) {
      void notifications?.clear(id);
    },
    onButton(listener) {
      notifications?.onButtonClicked?.addListener(listener);
    },
    onClick(listener) {
      notifications?.onClicked.addListener(listener);
    },
    badge(text) {
      if (!action) return;
      void action.setBadgeText({ text });
      if (text) void action.setBadgeBackgroundColor({ color: "#b3261e" });
    },
  };
}
