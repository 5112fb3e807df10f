// The search filters: a date range, camera, city, country, favorites only, and photos or videos.
import { Switch, Text, TextInput, View } from 'react-native';

import type { SearchQuery } from '../api/types';
import { Button } from '../ui/Button';
import { colors, ui } from '../ui/theme';

const TYPES: [SearchQuery['type'], string][] = [
  ['', 'All'],
  ['image', 'Photos'],
  ['video', 'Videos'],
];

function Field({ id, value, placeholder, onChange }: { id: keyof SearchQuery; value: string | undefined; placeholder: string; onChange: (v: string) => void }) {
  return <TextInput testID={`filter-${id}`} value={value ?? ''} onChangeText={onChange} placeholder={placeholder} placeholderTextColor={colors.dim} autoCapitalize="none" style={[ui.input, { flex: 1 }]} />;
}

export function SearchFilters({ value, onChange }: { value: SearchQuery; onChange: (q: SearchQuery) => void }) {
  const set = (patch: Partial<SearchQuery>) => onChange({ ...value, ...patch });
  return (
    <View testID="search-filters" style={{ gap: 6, paddingHorizontal: 8 }}>
      <View style={{ flexDirection: 'row', gap: 6 }}>
        <Field id="from" value={value.from} placeholder="from YYYY-MM-DD" onChange={(from) => set({ from })} />
        <Field id="to" value={value.to} placeholder="to YYYY-MM-DD" onChange={(to) => set({ to })} />
      </View>
      <View style={{ flexDirection: 'row', gap: 6 }}>
        <Field id="city" value={value.city} placeholder="city" onChange={(city) => set({ city })} />
        <Field id="country" value={value.country} placeholder="country" onChange={(country) => set({ country })} />
      </View>
      <Field id="camera" value={value.camera} placeholder="camera (make or model)" onChange={(camera) => set({ camera })} />
      <View style={ui.row}>
        <View style={{ flexDirection: 'row', gap: 4 }}>
          {TYPES.map(([type, label]) => (
            <Button key={label} ghost={(value.type ?? '') !== type} testID={`filter-type-${type || 'all'}`} title={label} onPress={() => set({ type })} />
          ))}
        </View>
        <View style={{ flexDirection: 'row', alignItems: 'center', gap: 4 }}>
          <Text style={ui.text}>Favorites</Text>
          <Switch testID="filter-favorite" value={!!value.favorite} onValueChange={(favorite) => set({ favorite })} />
        </View>
      </View>
    </View>
  );
}
