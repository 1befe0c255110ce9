"""The demo's fifty-odd complaints, loaded by ``demo.demo_load()`` (the scenarios they go through are
in ``demo_scenarios``)."""

from dataclasses import dataclass, field

from aduan.complaints.models import ArchiveReason, Channel, Classification


@dataclass(frozen=True)
class DemoComplaint:
    """One demo complaint and the story it goes through."""

    title: str
    chronology: str
    scenario: str
    category: str | None = None
    location: str = ""
    coords: tuple[float, float] | None = None
    opd: str | None = None  # dispatch target (short name) when not the category's default OPD
    first_opd: str | None = None  # wrongly dispatched first ("redispatch" scenario)
    answer: str = ""  # the OPD's follow-up
    answer2: str = ""  # the second follow-up ("reopened")
    note: str = ""  # hold / request_redispatch / reply / reopen note, by scenario
    institution: str = ""  # forward_out
    reason: str = ""  # archive reason
    duplicate_of: str = ""  # title of the original ("duplicate")
    classification: str = Classification.PENGADUAN
    channel: str = Channel.WEB
    anonymous: bool = False
    confidential: bool = False
    extra: dict = field(default_factory=dict)


C = DemoComplaint
COMPLAINTS = [
    C(
        "Jalan berlubang besar di Jl. MT Haryono dekat Simpang Ring Road",
        "Di Jl. MT Haryono arah Ring Road ada lubang besar sekitar satu meter dengan kedalaman kurang "
        "lebih 20 cm. Saat hujan lubang tertutup genangan dan tidak terlihat. Sudah dua pengendara motor "
        "jatuh minggu ini. Mohon segera ditambal.",
        "done_kept",
        category="Jalan rusak",
        location="Jl. MT Haryono dekat Simpang Ring Road, Kel. Damai Baru, Balikpapan Selatan",
        coords=(-1.2552, 116.8691),
        answer="Tim UPT Pemeliharaan Jalan DPU telah menambal lubang di tiga titik Jl. MT Haryono pada "
        "pagi hari ini. Pelapisan ulang (overlay) ruas tersebut masuk rencana kegiatan tahun depan.",
    ),
    C(
        "Banjir setiap hujan deras di Gunung Samarinda, drainase tersumbat",
        "Setiap hujan deras lebih dari satu jam, air setinggi lutut masuk ke rumah warga RT 21 Kel. "
        "Gunung Samarinda. Saluran di samping Jl. Pupuk Raya penuh sedimen dan sampah, gorong-gorong di "
        "mulut gang tertutup.",
        "followed",
        category="Drainase dan banjir",
        location="Jl. Pupuk Raya, RT 21 Kel. Gunung Samarinda, Balikpapan Utara",
        coords=(-1.2196, 116.8618),
        channel=Channel.API,
        answer="DPU telah menurunkan alat berat untuk normalisasi saluran sepanjang 250 m dan membersihkan "
        "gorong-gorong di mulut gang. Mohon warga tidak membuang sampah ke saluran.",
    ),
    C(
        "KTP-el belum jadi setelah tiga bulan perekaman",
        "Saya merekam KTP-el di kantor Disdukcapil pada awal bulan tiga bulan lalu. Setiap kali saya "
        "datang, petugas mengatakan blangko belum tersedia. Saya butuh KTP-el untuk melamar pekerjaan.",
        "accepted",
        category="KTP-el",
        location="Kantor Disdukcapil Kota Balikpapan",
        channel=Channel.COUNTER,
        answer="KTP-el atas nama pelapor sudah dicetak dan dapat diambil di loket 3 Disdukcapil dengan "
        "membawa bukti perekaman. Stok blangko sudah kembali normal.",
    ),
    C(
        "Air PDAM mati tiga hari di Perumahan Batu Ampar",
        "Sejak Senin air PDAM di Perumahan Batu Ampar Lestari tidak mengalir sama sekali. Tidak ada "
        "pemberitahuan gangguan. Warga terpaksa membeli air tandon Rp150.000 per tangki.",
        "auto",
        category="Air bersih",
        location="Perumahan Batu Ampar Lestari, Kel. Batu Ampar, Balikpapan Utara",
        coords=(-1.2288, 116.8586),
        answer="Telah terjadi kebocoran pipa transmisi 300 mm di Jl. Soekarno-Hatta. Perbaikan selesai "
        "dan aliran ke Batu Ampar kembali normal sejak pukul 20.00 WITA. Mohon maaf atas gangguannya.",
        channel=Channel.PHONE,
    ),
    C(
        "Lampu jalan padam sepanjang Jl. Soekarno-Hatta km 5",
        "Lampu penerangan jalan umum di Jl. Soekarno-Hatta dari km 4 sampai km 6 padam semua sejak dua "
        "minggu. Jalan sangat gelap dan rawan kecelakaan serta begal.",
        "scheduled",
        category="Penerangan jalan",
        location="Jl. Soekarno-Hatta km 5, Balikpapan Utara",
        coords=(-1.2046, 116.8795),
        channel=Channel.WHATSAPP,
    ),
    C(
        "Sampah menumpuk di TPS Pasar Pandansari",
        "Sampah di TPS samping Pasar Pandansari tidak diangkut hampir seminggu, menumpuk sampai ke badan "
        "jalan dan berbau busuk. Banyak lalat di lapak pedagang ikan.",
        "followed",
        category="Sampah dan lingkungan",
        location="TPS Pasar Pandansari, Kel. Margo Mulyo, Balikpapan Barat",
        coords=(-1.2408, 116.8235),
        answer="DLH menambah satu armada truk pengangkut untuk TPS Pasar Pandansari; sampah telah diangkut "
        "seluruhnya dan jadwal angkut menjadi dua kali sehari.",
        channel=Channel.SOCIAL_MEDIA,
    ),
    C(
        "Pedagang kaki lima menutup trotoar Jl. Jenderal Sudirman di Klandasan",
        "Trotoar di Jl. Jenderal Sudirman depan pertokoan Klandasan penuh lapak pedagang kaki lima, "
        "pejalan kaki terpaksa turun ke jalan raya. Mohon ditertibkan.",
        "reopened",
        category="Ketertiban umum",
        location="Jl. Jenderal Sudirman, Kel. Klandasan Ilir, Balikpapan Kota",
        coords=(-1.2739, 116.8352),
        answer="Satpol PP telah melakukan penertiban dan sosialisasi kepada 14 pedagang; trotoar kembali "
        "dapat dilalui.",
        note="Setelah dua hari pedagang kembali berjualan di trotoar, kondisinya sama seperti sebelumnya.",
        answer2="Satpol PP menempatkan petugas piket setiap sore di lokasi dan berkoordinasi dengan "
        "Kecamatan Balikpapan Kota untuk merelokasi pedagang ke Pasar Klandasan.",
    ),
    C(
        "Tanah longsor mengancam rumah warga di Karang Joang",
        "Tebing di belakang rumah warga RT 30 Kel. Karang Joang longsor sebagian setelah hujan semalam. "
        "Dua rumah berjarak kurang dari dua meter dari bibir longsoran.",
        "replied",
        category="Bencana",
        location="RT 30 Kel. Karang Joang, Balikpapan Utara",
        coords=(-1.1668, 116.8769),
        answer="Tim Reaksi Cepat BPBD telah meninjau lokasi, memasang terpal dan garis pengaman, serta "
        "menyarankan dua keluarga mengungsi sementara.",
        note="Terima kasih, tetapi terpal sudah robek dan longsor bertambah. Kapan dibangun turap permanen?",
        channel=Channel.SMS,
    ),
    C(
        "Bantuan PKH tidak cair padahal terdaftar di DTKS",
        "Keluarga saya terdaftar di DTKS dan menerima PKH tahun lalu, tetapi dua tahap terakhir tidak cair. "
        "Pendamping PKH tidak bisa memberi penjelasan.",
        "dispatch",
        category="Bantuan sosial",
        location="Kel. Manggar, Balikpapan Timur",
        confidential=True,
        channel=Channel.LETTER,
    ),
    C(
        "Pengajuan NIB ditolak tanpa penjelasan di Mal Pelayanan Publik",
        "Saya mengajukan NIB untuk usaha katering rumahan melalui OSS dengan pendampingan di Mal Pelayanan "
        "Publik, tetapi status permohonan ditolak tanpa alasan yang jelas.",
        "accepted",
        category="Perizinan",
        location="Mal Pelayanan Publik Balikpapan",
        answer="Permohonan ditolak karena KBLI yang dipilih tidak sesuai. Petugas DPMPTSP telah membantu "
        "mengajukan ulang dengan KBLI 56210 dan NIB sudah terbit.",
    ),
    C(
        "Antrean panjang dan pelayanan lambat di Puskesmas Sepinggan",
        "Pasien harus antre sejak pukul 06.00 dan baru dilayani menjelang siang. Hanya satu dokter yang "
        "bertugas di poli umum.",
        "followed",
        category="Puskesmas dan layanan kesehatan",
        location="Puskesmas Sepinggan, Balikpapan Selatan",
        coords=(-1.2589, 116.8932),
        channel=Channel.API,
        answer="Dinkes menambah satu dokter umum di Puskesmas Sepinggan mulai pekan depan dan mengaktifkan "
        "antrean daring melalui aplikasi.",
    ),
    C(
        "Pungutan uang seragam di sekolah dasar negeri",
        "Orang tua murid kelas 1 diminta membayar Rp850.000 untuk seragam dan buku melalui komite sekolah. "
        "Yang belum membayar anaknya ditegur di kelas.",
        "replied",
        category="Pendidikan",
        location="Balikpapan Tengah",
        anonymous=True,
        confidential=True,
        answer="Disdikbud telah memanggil kepala sekolah dan komite. Pembelian seragam tidak wajib dan tidak "
        "boleh dikaitkan dengan kegiatan belajar.",
        note="Sampai hari ini orang tua masih ditagih melalui grup WhatsApp kelas.",
    ),
    C(
        "Nama anak salah tulis di akta kelahiran",
        "Akta kelahiran anak saya yang baru terbit tertulis 'Muhamad' padahal di surat keterangan lahir "
        "'Muhammad'. Mohon diperbaiki tanpa harus mengulang dari awal.",
        "accepted",
        category="Akta kelahiran",
        channel=Channel.COUNTER,
        answer="Akta kelahiran telah diterbitkan ulang dengan penulisan nama yang benar dan dapat diunduh "
        "melalui layanan daring Disdukcapil.",
    ),
    C(
        "Kartu Keluarga belum diperbarui setelah pindah datang",
        "Saya pindah dari Samarinda dua bulan lalu dan sudah menyerahkan SKPWNI, tetapi Kartu Keluarga baru "
        "belum diterbitkan.",
        "completed",
        category="Kartu Keluarga",
        note="Mohon lengkapi nomor SKPWNI dan tanggal penyerahan berkas.",
        extra={
            "complete_note": "Nomor SKPWNI 6472/SKPWNI/0815, diserahkan di loket Kecamatan Balikpapan Utara."
        },
    ),
    C(
        "Jalan rusak dan bergelombang di Jl. Mulawarman, Manggar",
        "Aspal Jl. Mulawarman di depan pasar Manggar mengelupas dan bergelombang sepanjang kira-kira 100 m. "
        "Truk sering melintas dan membuat kerusakan bertambah.",
        "auto",
        category="Jalan rusak",
        location="Jl. Mulawarman depan Pasar Manggar, Balikpapan Timur",
        coords=(-1.2148, 116.9692),
        answer="Perbaikan dengan penambalan dan perataan aspal telah dilaksanakan sepanjang 120 m.",
    ),
    C(
        "Saluran drainase meluap di Jl. Ahmad Yani, Gunung Sari",
        "Saluran di Jl. Ahmad Yani depan Gang Sehati meluap setiap hujan sehingga jalan tergenang dan "
        "arus lalu lintas macet.",
        "in_progress",
        category="Drainase dan banjir",
        location="Jl. Ahmad Yani, Kel. Gunung Sari Ilir, Balikpapan Tengah",
        coords=(-1.2461, 116.8433),
    ),
    C(
        "Surat keterangan tidak mampu lama diproses di kantor kecamatan",
        "Saya mengurus SKTM untuk keringanan biaya rumah sakit ibu saya, tetapi sudah seminggu belum selesai "
        "dengan alasan camat sedang dinas luar.",
        "accepted",
        category="Layanan kecamatan",
        opd="Kec. Balikpapan Tengah",
        channel=Channel.COUNTER,
        answer="SKTM telah ditandatangani secara elektronik dan dapat diambil di loket kecamatan. Ke depan "
        "penandatanganan tidak menunggu kehadiran camat.",
    ),
    C(
        "Air PDAM keruh dan berbau di Sepinggan Baru",
        "Sudah empat hari air dari keran berwarna cokelat dan berbau lumpur, tidak layak untuk mandi "
        "apalagi memasak.",
        "followed",
        category="Air bersih",
        location="Kel. Sepinggan Baru, Balikpapan Selatan",
        coords=(-1.2496, 116.9001),
        answer="Kekeruhan disebabkan pencucian pipa distribusi setelah perbaikan. Jaringan telah dibilas dan "
        "hasil uji laboratorium kembali memenuhi baku mutu.",
        channel=Channel.EMAIL,
    ),
    C(
        "Parkir liar di bahu Jl. MT Haryono depan deretan ruko",
        "Mobil parkir dua lapis di bahu jalan depan ruko Jl. MT Haryono sehingga jalan menyempit dan macet "
        "setiap sore. Ada juru parkir tanpa rompi resmi.",
        "redispatch",
        category="Transportasi dan parkir",
        location="Jl. MT Haryono, Kel. Gunung Bahagia, Balikpapan Selatan",
        coords=(-1.2488, 116.8724),
        first_opd="Satpol PP",
        note="Pengaturan parkir dan juru parkir menjadi kewenangan Dinas Perhubungan; mohon didisposisikan "
        "ke Dishub. Satpol PP siap mendampingi penertiban.",
    ),
    C(
        "Pohon tumbang menutup Jl. Marsma R. Iswahyudi",
        "Pohon besar tumbang setelah angin kencang dan menutup satu lajur Jl. Marsma R. Iswahyudi dekat "
        "bandara. Kendaraan harus bergantian lewat.",
        "accepted",
        category="Bencana",
        location="Jl. Marsma R. Iswahyudi, Kel. Sepinggan Raya, Balikpapan Selatan",
        coords=(-1.2611, 116.8966),
        answer="Tim BPBD bersama DLH telah memotong dan mengangkut pohon; jalan kembali dapat dilalui pukul "
        "15.30 WITA.",
    ),
    C(
        "Bekas galian pipa tidak ditutup kembali di Jl. Syarifuddin Yoes",
        "Bekas galian di sisi Jl. Syarifuddin Yoes dibiarkan terbuka dan hanya diberi tanda seadanya. "
        "Tanah galian berceceran ke jalan dan licin saat hujan.",
        "redispatch",
        category="Jalan rusak",
        location="Jl. Syarifuddin Yoes, Kel. Sepinggan Baru, Balikpapan Selatan",
        coords=(-1.2435, 116.8897),
        first_opd="DPU",
        opd="PTMB",
        note="Galian tersebut adalah pekerjaan pipa distribusi Perumda Tirta Manuntung, bukan pekerjaan DPU. "
        "Mohon didisposisikan ke PTMB.",
    ),
    C(
        "Kebisingan tempat hiburan malam hingga dini hari",
        "Musik dari tempat hiburan di kawasan Klandasan terdengar keras hingga pukul 03.00 setiap akhir "
        "pekan. Warga sekitar, termasuk lansia dan bayi, tidak bisa beristirahat.",
        "cannot",
        category="Ketertiban umum",
        location="Kawasan Klandasan Ulu, Balikpapan Kota",
        anonymous=True,
    ),
    C(
        "Sampah dibuang ke Sungai Ampal",
        "Warga dan pedagang membuang sampah plastik ke Sungai Ampal dekat jembatan Jl. MT Haryono. Sampah "
        "tersangkut di pintu air dan memperparah banjir.",
        "reopened",
        category="Sampah dan lingkungan",
        location="Sungai Ampal dekat Jl. MT Haryono, Balikpapan Tengah",
        coords=(-1.2529, 116.8617),
        answer="DLH telah membersihkan sampah di pintu air dan memasang papan larangan membuang sampah.",
        note="Seminggu kemudian sampah kembali menumpuk karena tidak ada tempat sampah di sekitar jembatan.",
        answer2="DLH menempatkan dua kontainer sampah di dekat jembatan dan menjadwalkan pengangkutan "
        "harian; patroli bersama Satpol PP dilakukan tiap Jumat.",
    ),
    C(
        "Listrik padam berulang kali di Balikpapan Baru",
        "Dalam seminggu listrik padam lebih dari lima kali tanpa pemberitahuan, peralatan elektronik warga "
        "rusak.",
        "forward",
        location="Kompleks Balikpapan Baru, Balikpapan Selatan",
        institution="PT PLN (Persero) UP3 Balikpapan",
    ),
    C(
        "Klaim BPJS Kesehatan ditolak rumah sakit swasta",
        "Ayah saya dirawat di rumah sakit swasta dan diminta membayar penuh karena klaim BPJS Kesehatan "
        "dinyatakan tidak dijamin.",
        "forward",
        category="Kesehatan",
        channel=Channel.LAPOR,
        institution="BPJS Kesehatan Kantor Cabang Balikpapan",
    ),
    C(
        "Jalan Balikpapan–Samarinda km 20 rusak parah",
        "Ruas jalan poros Balikpapan–Samarinda sekitar km 20 berlubang dalam di banyak titik dan sering "
        "menyebabkan kecelakaan truk.",
        "dispatch_forward",
        category="Jalan rusak",
        location="Jl. Soekarno-Hatta km 20, Kel. Karang Joang, Balikpapan Utara",
        coords=(-1.1310, 116.9153),
        institution="Balai Besar Pelaksanaan Jalan Nasional Kalimantan Timur",
    ),
    C(
        "Seleksi penerimaan SMA negeri jalur zonasi tidak transparan",
        "Anak saya tinggal 800 m dari SMA negeri tetapi tidak diterima, sementara calon siswa yang lebih "
        "jauh diterima. Daftar jarak tidak diumumkan.",
        "forward",
        category="Pendidikan",
        channel=Channel.LAPOR,
        institution="Dinas Pendidikan dan Kebudayaan Provinsi Kalimantan Timur",
    ),
    C(
        "Jadwal perekaman KTP-el keliling di kelurahan",
        "Mohon informasi kapan ada perekaman KTP-el keliling di Kel. Lamaru. Banyak warga lansia yang sulit "
        "datang ke kantor Disdukcapil.",
        "accepted",
        category="KTP-el",
        location="Kel. Lamaru, Balikpapan Timur",
        classification=Classification.PERMINTAAN_INFORMASI,
        answer="Perekaman KTP-el keliling di Kantor Kelurahan Lamaru dijadwalkan Selasa pekan depan pukul "
        "08.00–14.00 WITA. Bagi lansia yang tidak dapat hadir tersedia layanan jemput bola.",
    ),
    C(
        "Usul penambahan lampu jalan menuju Pantai Manggar Segara Sari",
        "Jalan menuju Pantai Manggar Segara Sari gelap pada malam hari padahal ramai pengunjung. Mohon "
        "dipasang lampu penerangan jalan.",
        "followed",
        category="Penerangan jalan",
        location="Jl. Pantai Manggar, Kel. Manggar Baru, Balikpapan Timur",
        coords=(-1.2312, 116.9787),
        classification=Classification.ASPIRASI,
        answer="Usulan dicatat dan masuk rencana pemasangan 20 titik PJU tenaga surya di kawasan wisata "
        "pantai tahun anggaran berikutnya.",
    ),
    C(
        "tes tes",
        "coba coba aplikasi",
        "archive",
        reason=ArchiveReason.UNINTELLIGIBLE,
    ),
    C(
        "Keributan tetangga saat hajatan keluarga",
        "Tetangga saya mengadakan hajatan tiga hari dan memarkir mobil di depan pagar rumah saya.",
        "archive",
        reason=ArchiveReason.NOT_PUBLIC_SERVICE,
        confidential=True,
    ),
    C(
        "Lubang di Jl. MT Haryono belum juga ditambal",
        "Lubang besar di Jl. MT Haryono dekat Ring Road masih ada dan membahayakan pengendara motor.",
        "duplicate",
        category="Jalan rusak",
        location="Jl. MT Haryono, Balikpapan Selatan",
        duplicate_of="Jalan berlubang besar di Jl. MT Haryono dekat Simpang Ring Road",
    ),
    C(
        "Drainase mampet di perumahan",
        "Saluran di depan rumah mampet dan berbau.",
        "no_response",
        category="Drainase dan banjir",
        note="Mohon sebutkan nama perumahan, RT, dan kelurahan serta lampirkan foto saluran.",
    ),
    C(
        "Retribusi sampah ditagih dua kali di rekening air",
        "Pada rekening air bulan ini retribusi sampah tercantum dua kali sehingga tagihan saya naik.",
        "hold",
        category="Air bersih",
        note="Mohon lampirkan foto rekening air dan sebutkan nomor sambungan pelanggan.",
    ),
    C(
        "Bangunan liar di lahan fasilitas umum perumahan",
        "Lahan fasum di perumahan kami yang semestinya taman bermain didirikan bangunan semi permanen oleh "
        "orang yang tidak dikenal.",
        "hold",
        category="Pertanahan dan tata ruang",
        location="Kel. Sungai Nangka, Balikpapan Selatan",
        note="Mohon sebutkan nama perumahan dan blok lahan fasum, serta lampirkan foto bangunan.",
    ),
    C(
        "Lampu lalu lintas simpang Muara Rapak mati",
        "Lampu lalu lintas di Simpang Muara Rapak mati sejak pagi sehingga simpang macet parah dan "
        "hampir terjadi tabrakan.",
        "accepted",
        category="Transportasi dan parkir",
        location="Simpang Muara Rapak, Balikpapan Utara",
        coords=(-1.2329, 116.8473),
        channel=Channel.API,
        answer="Petugas Dishub telah mengganti modul pengendali APILL yang rusak; lampu lalu lintas kembali "
        "berfungsi normal.",
    ),
    C(
        "Aplikasi antrean online layanan publik sering error",
        "Aplikasi antrean daring untuk layanan kependudukan tidak bisa dibuka setiap pagi pukul 07.00 saat "
        "kuota dibuka.",
        "auto",
        category="Informasi publik dan aplikasi",
        answer="Diskominfo telah menambah kapasitas server aplikasi antrean dan memindahkan pembukaan kuota "
        "menjadi bertahap mulai pukul 06.00 WITA.",
    ),
    C(
        "Genangan dan jentik nyamuk di lingkungan RT, warga terkena DBD",
        "Tiga warga RT 05 dirawat karena demam berdarah bulan ini. Banyak genangan di lahan kosong dan "
        "belum ada fogging.",
        "dispatch",
        category="Puskesmas dan layanan kesehatan",
        location="RT 05 Kel. Karang Rejo, Balikpapan Tengah",
        coords=(-1.2421, 116.8511),
    ),
    C(
        "Petugas IGD RSUD Beriman kurang ramah",
        "Saat mengantar anak yang kejang ke IGD, petugas pendaftaran membentak dan meminta kami menunggu "
        "tanpa penjelasan.",
        "accepted",
        category="Rumah sakit",
        location="RSUD Beriman Balikpapan",
        anonymous=True,
        answer="Manajemen RSUD Beriman telah melakukan pembinaan kepada petugas dan menambah petugas "
        "informasi di IGD. Terima kasih atas masukannya.",
    ),
    C(
        "Pembangunan gedung tanpa PBG di Jl. Indrakila",
        "Ada pembangunan gedung tiga lantai di Jl. Indrakila tanpa papan PBG. Bangunan menutup saluran air "
        "di depannya.",
        "new",
        category="Pertanahan dan tata ruang",
        location="Jl. Indrakila, Kel. Gunung Samarinda Baru, Balikpapan Utara",
        coords=(-1.2167, 116.8676),
    ),
    C(
        "Trotoar rusak di Jl. Jenderal Sudirman depan Balikpapan Plaza",
        "Paving trotoar ambles dan ada penutup saluran yang hilang. Berbahaya bagi pejalan kaki, apalagi "
        "malam hari.",
        "new",
        category="Jalan rusak",
        location="Jl. Jenderal Sudirman depan Balikpapan Plaza, Balikpapan Kota",
        coords=(-1.2766, 116.8297),
        channel=Channel.OPEN311,
    ),
    C(
        "Aliran air PDAM kecil sejak seminggu di Gunung Samarinda Baru",
        "Air hanya mengalir pada malam hari dan sangat kecil sehingga tandon tidak pernah penuh.",
        "new",
        category="Air bersih",
        location="Kel. Gunung Samarinda Baru, Balikpapan Utara",
        coords=(-1.2139, 116.8649),
    ),
    C(
        "Bantuan beras untuk lansia tidak sampai di RT 12 Lamaru",
        "Lansia di RT 12 Kel. Lamaru yang terdaftar penerima bantuan pangan belum menerima beras dua bulan "
        "terakhir.",
        "completed",
        category="Bantuan sosial",
        location="RT 12 Kel. Lamaru, Balikpapan Timur",
        note="Mohon sebutkan nama penerima yang terdampak dan nomor KK bila ada.",
        extra={"complete_note": "Penerima: Ibu Hadijah dan Bapak Sakka, keduanya terdaftar di DTKS RT 12."},
    ),
    C(
        "Saluran di Jl. Prona tersumbat sampah",
        "Saluran air di Jl. Prona tertutup sampah dan tanah sehingga air meluber ke jalan saat hujan.",
        "new",
        category="Drainase dan banjir",
        location="Jl. Prona, Kel. Sumber Rejo, Balikpapan Tengah",
        coords=(-1.2385, 116.8541),
    ),
    C(
        "Insentif guru honorer SD negeri belum dibayar",
        "Guru honorer di beberapa SD negeri Balikpapan Barat belum menerima insentif triwulan ketiga.",
        "followed",
        category="Pendidikan",
        location="Balikpapan Barat",
        confidential=True,
        answer="Insentif triwulan III telah diproses dan ditransfer ke rekening masing-masing guru honorer "
        "pada tanggal 15 bulan ini.",
    ),
    C(
        "Pengangkutan sampah tidak rutin di Sepinggan Raya",
        "Truk sampah hanya datang seminggu sekali ke kompleks kami, sampah rumah tangga menumpuk di depan "
        "rumah.",
        "followed",
        category="Sampah dan lingkungan",
        location="Kel. Sepinggan Raya, Balikpapan Selatan",
        coords=(-1.2573, 116.9072),
        anonymous=True,
        answer="Rute pengangkutan Sepinggan Raya telah dijadwalkan ulang menjadi tiga kali seminggu (Senin, "
        "Rabu, Jumat).",
    ),
    C(
        "Jalan lingkungan rusak di Kel. Karang Rejo",
        "Jalan lingkungan di RT 18 rusak berat dan belum pernah diperbaiki sejak lima tahun.",
        "hold",
        category="Layanan kecamatan",
        location="RT 18 Kel. Karang Rejo, Balikpapan Tengah",
        note="Apakah usulan ini sudah disampaikan melalui musrenbang kelurahan? Mohon sebutkan nama gang.",
    ),
    C(
        "Kebakaran lahan di Karang Joang, asap masuk permukiman",
        "Lahan kosong di sekitar km 13 terbakar sejak sore, asap tebal masuk ke permukiman dan sekolah.",
        "auto",
        category="Bencana",
        location="Jl. Soekarno-Hatta km 13, Kel. Karang Joang, Balikpapan Utara",
        coords=(-1.1720, 116.8962),
        answer="BPBD bersama Damkar dan Manggala Agni telah memadamkan api; luas lahan terbakar sekitar "
        "dua hektare. Pemantauan titik panas dilanjutkan.",
    ),
    # A duplicate pair left for the koordinator to merge in the triage queue (staff workspace demo).
    C(
        "Lampu jalan padam di Jl. Jenderal Sudirman depan Pasar Klandasan",
        "Sudah seminggu lima lampu jalan di depan Pasar Klandasan padam. Malam hari sangat gelap dan "
        "rawan jambret. Mohon segera diperbaiki.",
        "new",
        category="Jalan rusak",
        location="Jl. Jenderal Sudirman depan Pasar Klandasan, Balikpapan Kota",
    ),
    C(
        "Lampu PJU mati depan Pasar Klandasan, Jl. Sudirman gelap",
        "Lampu penerangan jalan di Jl. Sudirman dekat Pasar Klandasan mati semua sejak minggu lalu, "
        "pejalan kaki takut lewat malam hari.",
        "new",
        category="Jalan rusak",
        location="Jl. Sudirman, Klandasan Ilir, Balikpapan Kota",
    ),
]
del C
