// One photo at a time: swipe between them, pinch to zoom (the ScrollView's zoom on iOS, ZoomView's
// PanResponder pinch on Android and the web), info, favorite, add to album, remove from it, trash.
import { Image } from 'expo-image';
import { useEffect, useState } from 'react';
import { FlatList, Platform, ScrollView, Text, useWindowDimensions, View } from 'react-native';

import type { Album, Photo } from '../api/types';
import { useApp } from '../state/AppContext';
import { AlbumPicker } from '../ui/AlbumPicker';
import { Button } from '../ui/Button';
import { colors, ui } from '../ui/theme';
import { ZoomView } from '../ui/ZoomView';
import { problemText } from './SignInScreen';

function Slide({ photo, width, height, onZoomed }: { photo: Photo; width: number; height: number; onZoomed: (zoomed: boolean) => void }) {
  const { previews } = useApp();
  const [, bump] = useState(0);
  const entry = previews.get(photo.id);
  const uri = entry?.status === 'ready' ? entry.value : null;
  useEffect(() => {
    // A preview that fails to download waits on the fetch queue and fills in as the network recovers.
    const off = previews.subscribe(photo.id, () => bump((n) => n + 1));
    previews.request(photo.id);
    return off;
  }, [previews, photo.id]);
  const image = (
    <Image
      testID={uri ? `preview-${photo.id}` : undefined}
      source={uri ? { uri } : null}
      placeholder={photo.thumbhash ? { thumbhash: photo.thumbhash } : null}
      style={{ width, height: height * 0.7 }}
      contentFit="contain"
    />
  );
  // iOS zooms a ScrollView natively; Android's ScrollView does not, so a PanResponder pinch does.
  if (Platform.OS !== 'ios') {
    return (
      <ZoomView testID={`zoom-${photo.id}`} width={width} height={height * 0.7} onZoomed={onZoomed}>
        {image}
      </ZoomView>
    );
  }
  return (
    <ScrollView style={{ width, height }} maximumZoomScale={4} minimumZoomScale={1} centerContent>
      {image}
    </ScrollView>
  );
}

export function describeCamera(p: Photo): string | null {
  const parts = [p.camera?.make, p.camera?.model].filter(Boolean);
  return parts.length ? parts.join(' ') : null;
}

export function describePlace(p: Photo): string | null {
  const named = [p.place?.city, p.place?.country].filter(Boolean);
  if (named.length) return named.join(', ');
  if (p.location) return `${p.location.lat.toFixed(4)}, ${p.location.lon.toFixed(4)}`;
  return null;
}

/** `album`: the album the photos were opened from; who may remove from it gets "Remove from album". */
export function ViewerScreen({ photos, start, album, onClose }: { photos: Photo[]; start: number; album?: Album; onClose: () => void }) {
  const { api } = useApp();
  const { width, height } = useWindowDimensions();
  const [index, setIndex] = useState(start);
  const [items, setItems] = useState(photos);
  const [message, setMessage] = useState<string | null>(null);
  const [picking, setPicking] = useState(false);
  const [zoomed, setZoomed] = useState(false);
  const photo = items[index];
  if (!photo) return null;

  async function favorite() {
    try {
      const updated = await api!.setFavorite(photo.id, !photo.favorite);
      setItems(items.map((p) => (p.id === photo.id ? { ...p, favorite: updated.favorite ?? !photo.favorite } : p)));
    } catch (err) {
      setMessage(problemText(err));
    }
  }
  async function trash() {
    try {
      await api!.trash([photo.id]);
      setMessage('Moved to the trash');
    } catch (err) {
      setMessage(problemText(err));
    }
  }

  async function removeFromAlbum() {
    if (!album) return;
    try {
      const res = await api!.removeFromAlbum(album.id, [photo.id]);
      if (res.errors.length) {
        setMessage(`Not removed (${res.errors[0].code})`);
        return;
      }
      const rest = items.filter((p) => p.id !== photo.id);
      if (!rest.length) return onClose();
      setItems(rest);
      setIndex(Math.min(index, rest.length - 1));
      setMessage(`Removed from ${album.name}`);
    } catch (err) {
      setMessage(problemText(err));
    }
  }
  // A contributor removes the photos they added; the server says which (per-id errors).
  const removes = album ? album.role !== 'viewer' : false;

  return (
    <View style={[ui.screen, { paddingTop: 24 }]} testID="viewer">
      <FlatList
        testID="viewer-pager"
        horizontal
        pagingEnabled
        scrollEnabled={!zoomed}
        data={items}
        initialScrollIndex={start}
        getItemLayout={(_d, i) => ({ length: width, offset: width * i, index: i })}
        keyExtractor={(p) => p.id}
        onMomentumScrollEnd={(e) => setIndex(Math.round(e.nativeEvent.contentOffset.x / width))}
        renderItem={({ item }) => <Slide photo={item} width={width} height={height} onZoomed={setZoomed} />}
        style={{ flexGrow: 0 }}
      />
      <View style={ui.pad}>
        <Text style={ui.text} testID="viewer-filename">
          {photo.filename}
        </Text>
        <Text style={ui.dim} testID="viewer-date">
          {new Date(photo.taken_at).toLocaleString()}
        </Text>
        {describeCamera(photo) ? <Text style={ui.dim}>{describeCamera(photo)}</Text> : null}
        {describePlace(photo) ? <Text style={ui.dim}>{describePlace(photo)}</Text> : null}
        {message ? (
          <Text style={{ color: colors.dim }} testID="viewer-message">
            {message}
          </Text>
        ) : null}
        {picking ? (
          <AlbumPicker
            photoId={photo.id}
            onDone={(text) => {
              setPicking(false);
              setMessage(text || null);
            }}
          />
        ) : null}
        <View style={ui.row}>
          <Button ghost testID="viewer-favorite" title={photo.favorite ? '★ Favorite' : '☆ Favorite'} onPress={favorite} />
          <Button ghost testID="viewer-add-album" title="Album" onPress={() => setPicking(true)} />
          <Button ghost title="Trash" onPress={trash} />
          {removes ? <Button ghost testID="viewer-remove-album" title="Remove" onPress={() => void removeFromAlbum()} /> : null}
          <Button testID="viewer-close" title="Close" onPress={onClose} />
        </View>
      </View>
    </View>
  );
}
