// Places: every city of the user's photos with its count, the most photographed first
// (`GET /places`); one opens its photos as a search by place. A list instead of a map: no native
// map module is needed, and it reads the same on iOS, Android and the web build.
import { useEffect, useState } from 'react';
import { FlatList, Pressable, Text } from 'react-native';

import type { Place } from '../api/types';
import { useApp } from '../state/AppContext';
import { ui } from '../ui/theme';
import { countText } from './AlbumsScreen';
import { placeName } from './searchQuery';
import { problemText } from './SignInScreen';

export function PlacesList({ onPick }: { onPick: (place: Place) => void }) {
  const { api } = useApp();
  const [places, setPlaces] = useState<Place[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    api!.places().then(
      (rows) => live && setPlaces(rows),
      (err) => live && setError(problemText(err)),
    );
    return () => {
      live = false;
    };
  }, [api]);
  if (error) return <Text style={[ui.error, { padding: 8 }]}>{error}</Text>;
  return (
    <FlatList
      testID="places"
      data={places ?? []}
      keyExtractor={(p) => `${p.country_code}|${p.region}|${p.city}`}
      ListEmptyComponent={places ? <Text style={[ui.dim, { padding: 16 }]}>No photo has a place yet (they need GPS coordinates).</Text> : null}
      renderItem={({ item, index }) => (
        <Pressable testID={`place-${index}`} accessibilityRole="button" onPress={() => onPick(item)} style={[ui.row, { padding: 12 }]}>
          <Text style={ui.text}>{placeName(item)}</Text>
          <Text style={ui.dim}>{countText(item.count)}</Text>
        </Pressable>
      )}
    />
  );
}
