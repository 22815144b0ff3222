import type { RoomBan, RoomMemberWithPresence, RoomRole } from '@pod/protocol';
import { useState } from 'react';
import { usePod } from '../lib/pod.tsx';
import { PresenceDot } from '../views/PresenceDot.tsx';
import { assignableRoles, atLeast, mayModerate } from './roles.ts';

/** The room's members with role and presence; for those below me, a menu of what my role may do to them. */
export function MemberList({ room, members, banned, myRole, kind, act }: { room: string; members: RoomMemberWithPresence[]; banned: RoomBan[] | undefined; myRole: RoomRole | undefined; kind: 'public' | 'private'; act: (action: () => Promise<unknown>) => Promise<void> }) {
  const { client } = usePod();
  const [invitee, setInvitee] = useState('');
  const mayInvite = kind === 'public' ? myRole !== undefined : atLeast(myRole, 'moderator');

  return (
    <aside className="members" aria-label="Members">
      <h3>Members ({members.length})</h3>
      <ul className="plain">
        {members.map((m) => (
          <li key={m.name} data-member={m.name}>
            <PresenceDot status={m.presence} />
            <span className="name" aria-label={`${m.name}, ${m.role}, ${m.presence}${m.muted ? ', muted' : ''}`}>
              {m.name}
            </span>
            {m.role !== 'member' && <span className="role small">{m.role}</span>}
            {m.muted && <span className="small muted">muted</span>}
            {mayModerate(myRole, m.role) && <ModerationMenu room={room} name={m.name} muted={m.muted} role={m.role} myRole={myRole} act={act} />}
          </li>
        ))}
      </ul>
      {mayInvite && (
        <form
          className="inline"
          onSubmit={(event) => {
            event.preventDefault();
            const user = invitee.trim();
            if (user) void act(() => client.request('rooms.invite', { room, user })).then(() => setInvitee(''));
          }}
        >
          <input aria-label={`Invite someone to #${room}`} placeholder="Invite by name" value={invitee} onChange={(e) => setInvitee(e.target.value)} size={12} />
          <button type="submit">Invite</button>
        </form>
      )}
      {banned && banned.length > 0 && (
        <>
          <h3>Banned</h3>
          <ul className="plain">
            {banned.map((b) => (
              <li key={b.name}>
                <span title={b.reason}>
                  {b.name} <span className="muted small">by {b.by}{b.reason ? `: ${b.reason}` : ''}</span>
                </span>
                <button type="button" className="small" aria-label={`Unban ${b.name}`} onClick={() => void act(() => client.request('rooms.unban', { room, user: b.name }))}>
                  Unban
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
    </aside>
  );
}

function ModerationMenu({ room, name, muted, role, myRole, act }: { room: string; name: string; muted: boolean; role: RoomRole; myRole: RoomRole | undefined; act: (action: () => Promise<unknown>) => Promise<void> }) {
  const { client } = usePod();
  const [reason, setReason] = useState('');
  const [newRole, setNewRole] = useState<RoomRole>(role);
  const roles = assignableRoles(myRole);
  return (
    <details className="menu">
      <summary aria-label={`Moderate ${name}`}>⋯</summary>
      <div className="menu-body stack">
        <label>
          Reason (optional)
          <input value={reason} onChange={(e) => setReason(e.target.value)} maxLength={500} />
        </label>
        <div className="inline">
          <button type="button" className="danger" aria-label={`Kick ${name}`} onClick={() => void act(() => client.request('rooms.kick', { room, user: name, reason }))}>
            Kick
          </button>
          <button type="button" className="danger" aria-label={`Ban ${name}`} onClick={() => void act(() => client.request('rooms.ban', { room, user: name, reason }))}>
            Ban
          </button>
          <button type="button" aria-label={`${muted ? 'Unmute' : 'Mute'} ${name}`} onClick={() => void act(() => client.request(muted ? 'rooms.unmute' : 'rooms.mute', { room, user: name }))}>
            {muted ? 'Unmute' : 'Mute'}
          </button>
        </div>
        {roles.length > 0 && (
          <div className="inline">
            <label>
              Role{' '}
              <select aria-label={`Role of ${name}`} value={newRole} onChange={(e) => setNewRole(e.target.value as RoomRole)}>
                {roles.map((r) => (
                  <option key={r} value={r}>
                    {r}
                  </option>
                ))}
              </select>
            </label>
            <button type="button" disabled={newRole === role} onClick={() => void act(() => client.request('rooms.role', { room, user: name, role: newRole }))}>
              Set role
            </button>
          </div>
        )}
      </div>
    </details>
  );
}
