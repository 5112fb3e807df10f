import { StyleSheet } from 'react-native';

export const colors = { bg: '#0f1115', card: '#1a1d24', text: '#f2f3f5', dim: '#9aa0aa', accent: '#5b8def', danger: '#e5534b', ok: '#3fb950' };

export const ui = StyleSheet.create({
  screen: { flex: 1, backgroundColor: colors.bg },
  pad: { padding: 16, gap: 12 },
  title: { color: colors.text, fontSize: 22, fontWeight: '600' },
  text: { color: colors.text, fontSize: 15 },
  dim: { color: colors.dim, fontSize: 13 },
  error: { color: colors.danger, fontSize: 14 },
  input: { backgroundColor: colors.card, color: colors.text, padding: 12, borderRadius: 8, fontSize: 15 },
  button: { backgroundColor: colors.accent, padding: 12, borderRadius: 8, alignItems: 'center' },
  buttonGhost: { borderColor: colors.accent, borderWidth: 1, padding: 12, borderRadius: 8, alignItems: 'center' },
  buttonText: { color: '#fff', fontWeight: '600', fontSize: 15 },
  row: { flexDirection: 'row', alignItems: 'center', justifyContent: 'space-between', gap: 8 },
});
