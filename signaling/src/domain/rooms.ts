/** Socket.IO and media room names, one place. */
export const boothRoomId = (boothId: string) => `booth:${boothId}`;
