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
  return (
    <section aria-label="Notifications">
      <h3>Notifications</h3>
      {Notification.permission === 'granted' ? (
        <p className="muted">Desktop notifications are on for new messages while this window is in the background.</p>
      ) : (
        <button type="button" onClick={() => void Notification.requestPermission()}>
          Show desktop notifications for new messages
        </button>
      )}
    </section>
  );
}
