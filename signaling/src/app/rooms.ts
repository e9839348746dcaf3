/**
 * Socket.IO, presence and media room names, in one place (features push into each other's rooms).
 */
export const boothRoomId = (boothId: string) => `booth:${boothId}`;
export const interviewRoomId = (interviewId: string) => `interview:${interviewId}`;
export const broadcastRoomId = (broadcastId: string) => `broadcast:${broadcastId}`;
/** A signed-in user's every socket (calls, places, mutes; ended when their rights change). */
export const userRoom = (userId: string) => `user:${userId}`;
/** A booth's recruiters: the line and its numbers are pushed here. */
export const staffRoom = (boothId: string) => `staff:${boothId}`;
/** Presence room of a booth's recruiters on duty. */
export const dutyRoom = (boothId: string) => `duty:${boothId}`;
/** Presence room of everyone visiting any booth of a fair (one identity counts once). */
export const fairPresenceRoom = (fairId: string) => `fair:${fairId}`;
/** Socket.IO room of the organizers watching a fair's live dashboard. */
export const dashboardRoom = (fairId: string) => `dashboard:${fairId}`;
/** A broadcast's hosts: raised hands and the stage are pushed here. */
export const hostsRoom = (broadcastId: string) => `hosts:${broadcastId}`;
/** Everyone reading a broadcast's chat (viewers, visitors, hosts). Not the media/viewer-count room. */
export const chatRoom = (broadcastId: string) => `chat:${broadcastId}`;
/** The broadcast's moderators: they hear who was muted. */
export const chatModRoom = (broadcastId: string) => `chat-mod:${broadcastId}`;
/** Socket.IO room of whatever shows a fair's hall (its screens): the hall count is pushed here. */
export const hallRoom = (fairId: string) => `hall:${fairId}`;
/** Presence room of every signed-in identity with an open connection. */
export const ONLINE = 'online';
