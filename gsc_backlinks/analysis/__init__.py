"""Pure summaries and analyses over what the store holds."""
