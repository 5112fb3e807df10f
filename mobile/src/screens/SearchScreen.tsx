// Search: words (filename, description, album, place and people's names) and filters (dates,
// camera, place, favorites, photos or videos), or a place from the places list; the results page
// into the same grid and viewer as the timeline. The query stays when the viewer closes (Root).
import { useCallback, useState } from 'react';
import { Text, TextInput, View } from 'react-native';

import type { Photo, SearchQuery } from '../api/types';
import { useApp } from '../state/AppContext';
import { Button } from '../ui/Button';
import { PhotoGrid } from '../ui/PhotoGrid';
import { colors, ui } from '../ui/theme';
import { PlacesList } from './PlacesList';
import { SearchFilters } from './SearchFilters';
import { describeQuery, hasQuery, placeQuery, queryKey } from './searchQuery';

type Panel = 'none' | 'filters' | 'places';

export function SearchScreen(props: { query: SearchQuery; onQuery: (q: SearchQuery) => void; onOpen: (photos: Photo[], index: number) => void }) {
  const { api } = useApp();
  const [draft, setDraft] = useState<SearchQuery>(props.query);
  const [panel, setPanel] = useState<Panel>('none');
  const { query } = props;
  const load = useCallback((cursor: string | null) => api!.search(query, cursor), [api, query]);
  const submit = (q: SearchQuery = draft) => {
    setPanel('none');
    props.onQuery({ ...q, q: q.q?.trim() });
  };
  const toggle = (p: Panel) => setPanel(panel === p ? 'none' : p);
  const filtered = hasQuery({ ...draft, q: '' });

  return (
    <View style={ui.screen} testID="search">
      <View style={[ui.row, { padding: 8 }]}>
        <TextInput
          testID="search-input"
          style={[ui.input, { flex: 1 }]}
          placeholder="Search: a place, an album, a file name"
          placeholderTextColor={colors.dim}
          value={draft.q ?? ''}
          onChangeText={(q) => setDraft({ ...draft, q })}
          onSubmitEditing={() => submit()}
          returnKeyType="search"
          autoCapitalize="none"
        />
        <Button testID="search-submit" title="Search" onPress={() => submit()} disabled={!hasQuery(draft)} />
      </View>
      <View style={{ flexDirection: 'row', gap: 6, paddingHorizontal: 8, paddingBottom: 8 }}>
        <Button ghost={panel !== 'filters'} testID="search-filters-toggle" title={filtered ? 'Filters •' : 'Filters'} onPress={() => toggle('filters')} />
        <Button ghost={panel !== 'places'} testID="search-places" title="Places" onPress={() => toggle('places')} />
        {hasQuery(draft) ? (
          <Button
            ghost
            testID="search-clear"
            title="Clear"
            onPress={() => {
              setDraft({});
              props.onQuery({});
            }}
          />
        ) : null}
      </View>
      {panel === 'filters' ? <SearchFilters value={draft} onChange={setDraft} /> : null}
      {panel === 'places' ? (
        <PlacesList
          onPick={(place) => {
            const q = placeQuery(place);
            setDraft(q);
            submit(q);
          }}
        />
      ) : null}
      {panel !== 'places' && hasQuery(query) ? (
        <>
          <Text style={[ui.dim, { paddingHorizontal: 8 }]} testID="search-summary">
            {describeQuery(query)}
          </Text>
          <PhotoGrid key={queryKey(query)} testID="search-results" load={load} onOpen={props.onOpen} empty={`Nothing matches ${describeQuery(query)}.`} />
        </>
      ) : null}
    </View>
  );
}
