export default function Help() {
  return (
    <section className="help" aria-label="Help">
      <h2>Help</h2>
      <dl>
        <dt>Messages (Alt+1)</dt>
        <dd>Your conversations, newest first, with how many messages wait unread. Enter sends, Shift+Enter starts a new line. One tick: sent; two: delivered to a device; two in colour: read.</dd>
        <dt>Files (Alt+2)</dt>
        <dd>Your files on the pod. Upload with the button or by dropping files onto the view; an upload cut short resumes when you pick the same file again. Click a file to download it. Rename, move, delete (to the trash, from where you can restore) and share: with people, with a group of your buddies, or by a link with an optional password and expiry. What others share with you is under Shared with me. Drop a file on a buddy in the contacts window to send it, or into a conversation to attach it.</dd>
        <dt>Buddies &amp; search (Alt+3)</dt>
        <dd>Find people by name or profile and send a buddy request (the button, or drag a person onto your buddy list). Buddies see each other's presence. Sort buddies into groups, open a profile, or block someone: they are not told.</dd>
        <dt>Settings (Alt+4)</dt>
        <dd>Your status and profile, the look of the application (skins), desktop notifications, and the devices signed in to your account.</dd>
        <dt>Expanded view (Alt+0)</dt>
        <dd>Opens the contacts window (buddies by group, live presence) and the data window (your files, the inbox and the trash) next to the central area.</dd>
      </dl>
    </section>
  );
}
