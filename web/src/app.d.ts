import type { SessionUser } from '@fairground/db';

declare global {
  namespace App {
    interface Locals {
      user: SessionUser | null;
    }
    interface Error {
      message: string;
    }
  }
}

export {};
