/**
 * The 20 Wikipedia languages LLaMA used, and the namespace aliases that name file and category
 * links in each of them.
 *
 * LLAMA_LANGUAGES: Touvron et al. 2023 §2.1 ("bg, ca, cs, da, de, en, es, fr, hr, hu, it, nl, pl, pt,
 * ro, ru, sl, sr, sv, uk"); RedPajama's wiki/download.py uses the same list.
 * The alias tables are the entries for these languages of the MEDIA_ALIASES / CAT_ALIASES tables in
 * HF datasets' wikipedia.py (v2.0.0), which RedPajama ran. A dump's own siteinfo adds the wiki's
 * localized canonical names at read time (see siteinfo.ts), and the English canonical names
 * (`File`, `Image`, `Media`, `Category`) are always recognised, as in HF.
 */

export const LLAMA_LANGUAGES = ['bg', 'ca', 'cs', 'da', 'de', 'en', 'es', 'fr', 'hr', 'hu', 'it', 'nl', 'pl', 'pt', 'ro', 'ru', 'sl', 'sr', 'sv', 'uk'] as const;

/** English canonical prefixes HF always strips (`^(?:File|Image|Media|<aliases>):`). */
export const CANONICAL_MEDIA = ['File', 'Image', 'Media'];
export const CANONICAL_CATEGORY = ['Category'];

export const MEDIA_ALIASES: Record<string, string[]> = {
  bg: ['Медия', 'Файл', 'Картинка'],
  ca: ['Fitxer', 'Imatge'],
  cs: ['Soubor', 'Média', 'Obrázok'],
  da: ['Billede', 'Fil'],
  de: ['Medium', 'Datei', 'Bild'],
  en: [],
  es: ['Medio', 'Archivo', 'Imagen'],
  fr: ['Média', 'Fichier'],
  hr: ['Mediji', 'DT', 'Slika', 'F', 'Datoteka'],
  hu: ['Kép', 'Fájl', 'Média'],
  it: ['Immagine'],
  nl: ['Bestand', 'Afbeelding'],
  pl: ['Plik', 'Grafika'],
  pt: ['Multimédia', 'Ficheiro', 'Arquivo', 'Imagem'],
  ro: ['Fişier', 'Imagine', 'Fișier'],
  ru: ['Медиа', 'Файл', 'Изображение'],
  sl: ['Slika', 'Datoteka'],
  sr: ['Датотека', 'Medij', 'Slika', 'Медија', 'Datoteka', 'Медиј', 'Medija', 'Слика'],
  sv: ['Fil', 'Bild'],
  uk: ['Медіа', 'Медиа', 'Файл', 'Изображение', 'Зображення'],
  // Languages of the test samples beyond LLaMA's 20 (same HF table).
  ja: ['メディア', 'ファイル', '画像'],
  zh: ['媒体文件', 'F', '文件', '媒體', '档案', '图像', '圖像', '媒体', '檔案'],
  vi: ['Phương_tiện', 'Tập_tin', 'Hình', 'Tập tin', 'Phương tiện'],
  ltg: ['Medeja', 'Fails'],
  ar: ['ميديا', 'صورة', 'وسائط', 'ملف'],
};

export const CATEGORY_ALIASES: Record<string, string[]> = {
  bg: ['Категория'],
  ca: ['Categoria'],
  cs: ['Kategorie'],
  da: ['Kategori'],
  de: ['Kategorie'],
  en: [],
  es: ['CAT', 'Categoría'],
  fr: ['Catégorie'],
  hr: ['CT', 'KT', 'Kategorija'],
  hu: ['Kategória'],
  it: ['CAT', 'Categoria'],
  nl: ['Categorie'],
  pl: ['Kategoria'],
  pt: ['Categoria'],
  ro: ['Categorie'],
  ru: ['Категория', 'К'],
  sl: ['Kategorija'],
  sr: ['Kategorija', 'Категорија'],
  sv: ['Kategori'],
  uk: ['Категория', 'Категорія'],
  ja: ['カテゴリ'],
  zh: ['分类', '分類', 'CAT'],
  vi: ['Thể_loại', 'Thể loại'],
  ltg: ['Kategoreja'],
  ar: ['تصنيف'],
};

/** MediaWiki namespace numbers whose local names also mark file and category links. */
export const NS_MEDIA = -2;
export const NS_FILE = 6;
export const NS_CATEGORY = 14;
