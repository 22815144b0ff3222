export default function Help() {
  return (
    <section className="help" aria-label="Help">
      <h2>Help</h2>
      <dl>
        <dt>Messages (Alt+1)</dt>
        <dd>Your conversations, newest first, with how many messages wait unread. Enter sends, Shift+Enter starts a new line. One tick: sent; two: delivered to a device; two in colour: read.</dd>
        <dt>Rooms</dt>
        <dd>Under your conversations: the rooms you are in with their unread counts, and invitations to accept or decline. New room makes one (public rooms are listed in the Room directory, where anyone may join; private ones are by invitation). In a room, the member list shows roles and live presence; moderators and above get a menu (⋯) on members below them to kick, ban (with a reason), mute or change their role, and open an edited message's earlier texts. Under Room settings, admins change the topic, the kind and what newcomers see of the past; owners also choose how long messages are kept and export the room's history as a JSON file.</dd>
        <dt>Replies, edits, reactions and mentions</dt>
        <dd>Each message has Reply, React, Edit (your own) and Delete (your own; any in a room you moderate): move the pointer over it or Tab into it. React offers a few emoji and a field for any other; hover or focus a reaction to see who reacted. ArrowUp in an empty message field edits your last message, Escape cancels a reply or an edit. Type @ to pick a member's name (arrows, then Enter or Tab). Others see when you are typing.</dd>
        <dt>Search messages (Alt+6)</dt>
        <dd>Finds messages in your rooms and conversations that contain every word you type, best matches first. Narrow it to one sender, one room or conversation, or dates; More results loads the next ones. Choose a result to open where it was said. A room you are no longer in finds nothing.</dd>
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
