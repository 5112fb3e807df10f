// Text search: the server matches filenames, descriptions, album, place and people's names;
// the results page into the same grid and viewer as the timeline.
import { useCallback, useState } from 'react';
import { TextInput, View } from 'react-native';

import type { Photo } from '../api/types';
import { useApp } from '../state/AppContext';
import { Button } from '../ui/Button';
import { PhotoGrid } from '../ui/PhotoGrid';
import { colors, ui } from '../ui/theme';

export function SearchScreen(props: { query: string; onQuery: (q: string) => void; onOpen: (photos: Photo[], index: number) => void }) {
  const { api } = useApp();
  const [text, setText] = useState(props.query);
  const { query } = props;
  const load = useCallback((cursor: string | null) => api!.search(query, cursor), [api, query]);
  const submit = () => props.onQuery(text.trim());

  return (
    <View style={ui.screen} testID="search">
      <View style={[ui.row, { padding: 8 }]}>
        <TextInput
          testID="search-input"
          style={[ui.input, { flex: 1 }]}
          placeholder="Search: a place, an album, a file name"
          placeholderTextColor={colors.dim}
          value={text}
          onChangeText={setText}
          onSubmitEditing={submit}
          returnKeyType="search"
          autoCapitalize="none"
        />
        <Button testID="search-submit" title="Search" onPress={submit} disabled={!text.trim()} />
      </View>
      {query ? <PhotoGrid key={query} testID="search-results" load={load} onOpen={props.onOpen} empty={`Nothing matches “${query}”.`} /> : null}
    </View>
  );
}
