"""What people read: number formatting, interactive and SVG charts, the memo."""
