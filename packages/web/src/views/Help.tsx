import type { ReactNode } from 'react';

const SHORTCUTS: Array<[string, string]> = [
  ['Alt+1', 'Messages'],
  ['Alt+2', 'Files'],
  ['Alt+3', 'Buddies & search'],
  ['Alt+4', 'Settings'],
  ['Alt+5', 'Help (this page)'],
  ['Alt+6', 'Search messages'],
  ['ArrowUp', 'In an empty message field: edit your last message'],
  ['Escape', 'Cancel a reply or an edit'],
  ['Alt+0', 'Switch between the compact and the expanded view'],
  ['Enter', 'In a conversation: send the message'],
  ['Shift+Enter', 'In a conversation: start a new line'],
  ['Escape', 'Stop renaming a file; close the share dialog'],
  ['Tab, Shift+Tab', 'Move between buttons, lists and fields; every action has a button, so nothing needs a mouse or a drag'],
];

function Topic({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section aria-labelledby={`help-${id}`}>
      <h3 id={`help-${id}`}>{title}</h3>
      {children}
    </section>
  );
}

/** What each function does and how to reach the pod from other programs. */
export default function Help() {
  const server = window.location.origin;
  return (
    <div className="help" aria-label="Help">
      <h2>Help</h2>
      <nav aria-label="Help topics" className="inline">
        {[
          ['messages', 'Messages'],
          ['rooms', 'Rooms'],
          ['conversation', 'Replies and reactions'],
          ['search', 'Search messages'],
          ['files', 'Files'],
          ['sharing', 'Sharing'],
          ['buddies', 'Buddies'],
          ['skins', 'Skins'],
          ['notifications', 'Notifications'],
          ['webdav', 'WebDAV'],
          ['cli', 'The pod command'],
          ['install', 'Installing'],
          ['keys', 'Keyboard'],
        ].map(([id, title]) => (
          <a key={id} href={`#help-${id}`}>
            {title}
          </a>
        ))}
      </nav>

      <Topic id="messages" title="Messages (Alt+1)">
        <p>
          Your conversations, newest first, with how many messages wait unread. Open one to read it: the history loads
          further back as you scroll up. Enter sends, Shift+Enter starts a new line. One tick means sent, two mean
          delivered to one of the other person's devices, two in colour mean read. Drop files into a conversation, or use
          Attach, to send them with a message; they are kept in your files under <code>/Attachments</code>.
        </p>
        <p>
          You can message your buddies, and anyone who accepts messages from everyone. Everything is kept on the server,
          so another computer shows the same conversations, read marks included.
        </p>
      </Topic>

      <Topic id="rooms" title="Rooms">
        <p>
          Under your conversations: the rooms you are in with their unread counts, and invitations to accept or decline.
          New room makes one (public rooms are listed in the Room directory, where anyone may join; private ones are by
          invitation). In a room, the member list shows roles and live presence; moderators and above get a menu (⋯) on
          members below them to kick, ban (with a reason), mute or change their role, and open an edited message&apos;s
          earlier texts. Under Room settings, admins change the topic, the kind and what newcomers see of the past; owners
          also choose how long messages are kept and export the room&apos;s history as a JSON file.
        </p>
      </Topic>

      <Topic id="conversation" title="Replies, edits, reactions and mentions">
        <p>
          Each message has Reply, React, Edit (your own) and Delete (your own; any in a room you moderate): move the
          pointer over it or Tab into it. React offers a few emoji and a field for any other; hover or focus a reaction to
          see who reacted. ArrowUp in an empty message field edits your last message, Escape cancels a reply or an edit.
          Type @ to pick a member&apos;s name (arrows, then Enter or Tab). Others see when you are typing.
        </p>
      </Topic>

      <Topic id="search" title="Search messages (Alt+6)">
        <p>
          Finds messages in your rooms and conversations that contain every word you type, best matches first. Narrow it
          to one sender, one room or conversation, or dates; More results loads the next ones. Choose a result to open
          where it was said. A room you are no longer in finds nothing.
        </p>
      </Topic>

      <Topic id="files" title="Files (Alt+2)">
        <p>
          Your own folders on the pod. Upload with the button or by dropping files onto the list; each file shows a
          progress bar. Only the parts the server does not have yet are sent, so a file it already holds takes no time,
          and an upload cut short (a closed tab, a lost connection) resumes when you pick the same file again. Click a
          file to download it. Each item can be renamed, moved or deleted; deleted items wait in the Trash, from where
          you can restore them. Overwriting a file keeps its earlier versions.
        </p>
      </Topic>

      <Topic id="sharing" title="Sharing">
        <p>
          Share opens a dialog for one of your items: give people or a buddy group read or write access, end a share,
          or make a link anyone can open without an account, optionally with a password and an expiry. What others
          shared with you is under Shared with me. In the expanded view, drag a file onto a buddy in the contacts window
          to send it to them as a message.
        </p>
      </Topic>

      <Topic id="buddies" title="Buddies & search (Alt+3)">
        <p>
          Find people by name, display name or what they wrote about themselves, and ask them to be your buddy (the
          button, or drag the person onto your buddy list). Once they accept, each of you sees the other's presence:
          online, away, busy or offline, with a status text. Sort buddies into groups and move them between groups, open a
          profile, or block someone: a blocked person's requests and messages never reach you, and they
          are not told.
        </p>
      </Topic>

      <Topic id="skins" title="Skins">
        <p>
          Settings, Skin changes the application's colours, fonts, corners and wallpaper. Pick a built-in skin or import
          one from a file (the format is documented in <code>docs/skins.md</code> on the server's project). Your choice
          is stored with your account, so it follows you to every computer.
        </p>
      </Topic>

      <Topic id="notifications" title="Notifications and announcements">
        <p>
          Settings, Notifications asks your browser to show a desktop notification for each new message while this
          window is hidden or in the background. Your browser remembers the answer; you can change it in the browser's
          site settings.
        </p>
        <p>
          Announcements from the pod's administrators appear at the top after you sign in. Dismiss one and it is gone on
          all your devices.
        </p>
      </Topic>

      <Topic id="webdav" title="WebDAV and app passwords">
        <p>
          Your files are also a network drive at <code>{server}/dav/</code>. Programs that mount or sync it (Finder's
          Connect to Server, Windows' Map network drive, davfs2, rclone, cadaver) sign in with your account name and an{' '}
          <em>app password</em>, never your account password: one per device, so a lost device can be shut out alone.
          Make one with the pod command, where it is shown once:
        </p>
        <pre>{'pod app-password create "laptop rclone"\npod app-password list\npod app-password revoke ID'}</pre>
      </Topic>

      <Topic id="cli" title="The pod command">
        <p>
          The <code>pod</code> command does from a terminal or a script what this application does: messages, buddies,
          presence, and files (upload, download, share, find, versions, the trash). Every command can print JSON with{' '}
          <code>--json</code>, and <code>pod COMMAND --help</code> explains each one.
        </p>
        <pre>{`printf '%s\\n' "$PASSWORD" | pod login --server ${server} --user NAME --password-stdin\npod send bob 'are you there?'\npod upload ./photos /backup\npod listen`}</pre>
      </Topic>

      <Topic id="install" title="Installing the app">
        <p>
          Install the application from your browser (in Chrome and Edge: the install icon at the end of the address bar,
          or Install Pod in the menu; on a phone: Add to Home screen). It then opens in its own window, starts without
          the network, and says so when it cannot reach the server. The expanded view (Alt+0) adds the contacts window
          and the data window with your files, the inbox and the trash; on a narrow screen the function buttons move to
          the bottom.
        </p>
      </Topic>

      <Topic id="keys" title="Keyboard shortcuts">
        <table className="shortcuts">
          <tbody>
            {SHORTCUTS.map(([keys, what]) => (
              <tr key={keys}>
                <th scope="row">
                  <kbd>{keys}</kbd>
                </th>
                <td>{what}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Topic>

      <p className="muted">
        More about Pod, how accounts are made and where your data lives: <a href="/welcome">the welcome page</a>.
      </p>
    </div>
  );
}
