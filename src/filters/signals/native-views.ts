/**
 * Installs the native scans of the RPv2 text views (native/text/views.cc) when the addon has them:
 * imported by the signal code, so every step computing quality signals gets them.
 */
import { textNative } from '../../native/addons.js';
import { useNativeScans, type ViewsNative } from '../../text/rpv2-views.js';

const addon = textNative<Partial<ViewsNative>>();
if (addon.scanRaw) useNativeScans(addon as ViewsNative);
