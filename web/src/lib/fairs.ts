import { themeLabel } from '#lib/labels.ts';

type Themed = { theme: Parameters<typeof themeLabel>[0]; customTheme: string | null };

/** A fair's theme as readers see it: a custom theme shows its own name. */
export const fairThemeText = (fair: Themed): string => (fair.theme === 'custom' && fair.customTheme ? fair.customTheme : themeLabel(fair.theme));
