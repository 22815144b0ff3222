import { useState } from 'react';
import { Sessions } from './Sessions.tsx';
import { Skins } from './Skins.tsx';
import { Status } from './Status.tsx';

export default function Settings() {
  return (
    <div className="settings">
      <h2>Settings</h2>
      <Status />
      <Skins />
      <Notifications />
      <Sessions />
    </div>
  );
}

function Notifications() {
  if (typeof Notification === 'undefined') return null;
  return <NotificationChoice />;
}

function NotificationChoice() {
  const [permission, setPermission] = useState(Notification.permission);
  return (
    <section aria-label="Notifications">
      <h3>Notifications</h3>
      {permission === 'granted' && <p className="muted">Desktop notifications are on for new messages while this window is hidden or in the background.</p>}
      {permission === 'denied' && <p className="muted">This browser blocks notifications from this site; allow them in the browser's site settings, then reload.</p>}
      {permission === 'default' && (
        // Browsers only ask from a user gesture: this click.
        <button type="button" onClick={() => void Notification.requestPermission().then(setPermission)}>
          Show desktop notifications for new messages
        </button>
      )}
    </section>
  );
}
