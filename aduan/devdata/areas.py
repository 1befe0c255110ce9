"""The demo's areas: the 6 kecamatan and 34 kelurahan of Kota Balikpapan (Perda Kota Balikpapan
No. 7/2012 on the formation of kelurahan), and how a demo complaint finds its kelurahan from the
reporter's words (the longest kelurahan name the location text contains, or a landmark below).

Another city loads its own list with ``manage.py load_areas CODE areas.json`` or in the admin.
"""

BALIKPAPAN_AREAS: dict[str, list[str]] = {
    "Balikpapan Barat": ["Baru Ilir", "Baru Tengah", "Baru Ulu", "Kariangau", "Margasari", "Margo Mulyo"],
    "Balikpapan Kota": ["Damai", "Klandasan Ilir", "Klandasan Ulu", "Prapatan", "Telaga Sari"],
    "Balikpapan Selatan": [
        "Damai Bahagia",
        "Damai Baru",
        "Gunung Bahagia",
        "Sepinggan",
        "Sepinggan Baru",
        "Sepinggan Raya",
        "Sungai Nangka",
    ],
    "Balikpapan Tengah": [
        "Gunung Sari Ilir",
        "Gunung Sari Ulu",
        "Karang Jati",
        "Karang Rejo",
        "Mekar Sari",
        "Sumber Rejo",
    ],
    "Balikpapan Timur": ["Lamaru", "Manggar", "Manggar Baru", "Teritip"],
    "Balikpapan Utara": [
        "Batu Ampar",
        "Graha Indah",
        "Gunung Samarinda",
        "Gunung Samarinda Baru",
        "Karang Joang",
        "Muara Rapak",
    ],
}

# Demo locations that name a landmark rather than their kelurahan.
LANDMARKS = {
    "Soekarno-Hatta km 5": "Graha Indah",
    "Sungai Ampal": "Gunung Sari Ulu",
    "Balikpapan Plaza": "Klandasan Ilir",
}


def kelurahan_name_for(location_text: str) -> str | None:
    """The kelurahan a demo location lies in, or None when the words do not say."""
    text = (location_text or "").lower()
    for landmark, name in LANDMARKS.items():
        if landmark.lower() in text:
            return name
    names = [name for names in BALIKPAPAN_AREAS.values() for name in names if name.lower() in text]
    return max(names, key=len) if names else None
