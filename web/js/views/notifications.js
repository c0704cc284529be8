// The account page's "Notifications" section: opt in to one e-mail digest per burst of photos (an SNS e-mail
// subscription filtered to this account's digests), or out of it.

import { api } from '../api.js';
import { h, toast } from '../dom.js';

export function notificationsSection() {
  const box = h('input', { type: 'checkbox', id: 'notify-email', testid: 'notify-email', disabled: true });
  const status = h('p', { class: 'hint', id: 'notify-email-hint', testid: 'notify-status' }, 'Checking…');
  const section = h(
    'section',
    { 'aria-labelledby': 'notify-title', testid: 'notifications-section' },
    h('h2', { id: 'notify-title' }, 'Notifications'),
    h(
      'div',
      { class: 'field field-check' },
      h('label', { for: 'notify-email' }, box, ' E-mail me when my photos are ready or need attention'),
      status,
    ),
  );
  box.setAttribute('aria-describedby', 'notify-email-hint');

  const show = (settings) => {
    box.checked = Boolean(settings.email);
    box.disabled = false;
    status.textContent = settings.email
      ? `One e-mail per batch of uploads, to ${settings.address}. Each e-mail has an unsubscribe link too.`
      : 'Off: nothing is e-mailed.';
  };

  api.notificationSettings().then(show, (err) => {
    status.textContent = err.message;
  });

  box.addEventListener('change', async () => {
    const wanted = box.checked;
    box.disabled = true;
    try {
      show(await api.setEmailNotifications(wanted));
      toast(wanted ? 'E-mail notifications are on. If an e-mail asks you to confirm the subscription, confirm it.' : 'E-mail notifications are off.', 'success');
    } catch (err) {
      box.checked = !wanted;
      box.disabled = false;
      toast(err.message, 'error');
    }
  });
  return section;
}
