import { Pressable, Text } from 'react-native';

import { ui } from './theme';

export function Button(props: { title: string; onPress: () => void; ghost?: boolean; disabled?: boolean; testID?: string }) {
  return (
    <Pressable
      accessibilityRole="button"
      testID={props.testID}
      disabled={props.disabled}
      onPress={props.onPress}
      style={[props.ghost ? ui.buttonGhost : ui.button, props.disabled ? { opacity: 0.5 } : null]}
    >
      <Text style={ui.buttonText}>{props.title}</Text>
    </Pressable>
  );
}
