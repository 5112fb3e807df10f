// One square of the grid: the thumbhash at once, the cached thumbnail when the fetch queue has it.
import { Image } from 'expo-image';
import { useEffect, useState } from 'react';
import { Pressable } from 'react-native';

import type { Photo } from '../api/types';
import { useApp } from '../state/AppContext';
import { colors } from './theme';

export function Thumb({ photo, size, onPress }: { photo: Photo; size: number; onPress: () => void }) {
  const { thumbs, rememberThumbUrl } = useApp();
  const [, bump] = useState(0);
  const entry = thumbs.get(photo.id);
  const uri = entry?.status === 'ready' ? entry.value : null;

  useEffect(() => {
    if (photo.status !== 'ready') return;
    rememberThumbUrl(photo.id, photo.thumb_url);
    const off = thumbs.subscribe(photo.id, () => bump((n) => n + 1));
    thumbs.request(photo.id);
    return off;
  }, [photo.id, photo.status, photo.thumb_url, thumbs, rememberThumbUrl]);

  return (
    <Pressable testID={`thumb-${photo.id}`} accessibilityLabel={photo.filename} onPress={onPress} style={{ width: size, height: size, padding: 1 }}>
      <Image
        testID={uri ? `thumb-img-${photo.id}` : undefined}
        source={uri ? { uri } : null}
        placeholder={photo.thumbhash ? { thumbhash: photo.thumbhash } : null}
        onError={() => {
          // A cached file the OS removed, or a broken download: fetch it again, with backoff.
          thumbs.forget(photo.id);
          thumbs.request(photo.id);
          bump((n) => n + 1);
        }}
        style={{ flex: 1, backgroundColor: colors.card }}
        contentFit="cover"
      />
    </Pressable>
  );
}
