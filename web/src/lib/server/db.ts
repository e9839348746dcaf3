import { sharedDatabase, type Db } from '@fairground/db';

/** The platform process's database; the web app reaches it only from server code. */
export const db = (): Db => sharedDatabase().db;
