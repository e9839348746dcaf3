/**
 * Who is connected to which room, shared by every signaling process. A viewer identity (user id
 * or anonymous device id) may have several connections (tabs); it counts once.
 */
export interface PresenceStore {
  /** Adds one connection; returns the room's distinct identities afterwards. */
  add(roomId: string, identity: string, connectionId: string): Promise<number>;
  /** Removes one connection (no-op if absent); returns the distinct identities afterwards. */
  remove(roomId: string, identity: string, connectionId: string): Promise<number>;
  count(roomId: string): Promise<number>;
  /** The room's distinct identities (small rooms only: raised hands, the stage). */
  members(roomId: string): Promise<string[]>;
  /** Open connections of one identity in the room (its tabs, on any node). */
  connections(roomId: string, identity: string): Promise<number>;
  /**
   * Adds one connection only if the room would then hold at most `limit` distinct identities
   * (an identity already present is always added): one atomic check-and-add, so two nodes adding
   * at once cannot take the room past its limit. True when added.
   */
  addWithin(roomId: string, identity: string, connectionId: string, limit: number): Promise<boolean>;
  /**
   * Takes `key` for `ms` unless someone (any process) holds it: true when taken. Spaces out work
   * that must happen at most once per interval across all nodes (a room's count update).
   */
  claim(key: string, ms: number): Promise<boolean>;
}
